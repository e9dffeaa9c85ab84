import type { DeploymentState } from '../../src/server/contract.js';

/** A server time as `HH:MM:SS UTC`: the page's clock may differ from the server's. */
function utcTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(11, 19)} UTC`;
}

/**
 * One sentence when the server's data on a deployment is stale (older than three poll
 * intervals), with when it was observed and why its polls fail when they do; null while it is
 * current (pure). The time, not an age: the page is not pushed again while it stays stale.
 */
export function staleNote(d: Pick<DeploymentState, 'observer' | 'topology'>): string | null {
  const { stale, failing } = d.observer;
  if (!stale) return null;
  const why = failing ? `; its polls fail: ${failing}` : '';
  if (d.topology === null) return `quorum has not observed this deployment yet${why}`;
  return `stale: what is shown was observed at ${utcTime(d.topology.observedAtMs)} and may no longer be true${why}`;
}

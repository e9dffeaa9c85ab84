import type { DeploymentState } from '../../src/server/contract.js';

/**
 * One sentence when the server's data on a deployment is stale (older than three poll
 * intervals), with why its polls fail when they do; null while it is current (pure).
 */
export function staleNote(d: Pick<DeploymentState, 'observer'>): string | null {
  const { ageMs, stale, failing } = d.observer;
  if (!stale) return null;
  const why = failing ? `; its polls fail: ${failing}` : '';
  if (ageMs === null) return `quorum has not observed this deployment yet${why}`;
  const age = ageMs < 10_000 ? (ageMs / 1000).toFixed(1) : String(Math.round(ageMs / 1000));
  return `stale: what is shown was observed ${age} s ago and may no longer be true${why}`;
}

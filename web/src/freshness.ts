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

/** How a person starts a deployment again, after `quorum down`. */
const START_AGAIN =
  'If it was stopped with quorum down, start it again with quorum up --dir <its dir> (run from where it was started); this page reconnects by itself.';

/**
 * What the page says when the deployment or the dashboard's own server stops answering (pure):
 * the server gone (the dashboard of `quorum up` stops with the deployment), every supervised
 * process stopped, or no sentinel (a cluster: no node) answering; null while it answers.
 */
export function unreachableNote(
  d: Pick<DeploymentState, 'unreachable' | 'processes'>,
  serverError: string | null,
): string | null {
  if (serverError !== null)
    return `The dashboard's server does not answer (${serverError}): the deployment may be stopped. ${START_AGAIN}`;
  if (d.unreachable === null) return null;
  if (d.processes.length > 0 && d.processes.every((p) => p.state === 'stopped'))
    return `The deployment is stopped: every process of it is. ${START_AGAIN}`;
  return `Unreachable: ${d.unreachable}. ${START_AGAIN}`;
}

import type { DeploymentState } from '../../../src/server/contract.js';
import { clusterOf } from '../../../src/model/topology.js';

/** A cluster's line in the header: its state, the masters owning slots, the slots covered. */
export function ClusterSummary({ deployment }: { deployment: DeploymentState }) {
  const c = deployment.topology ? clusterOf(deployment.topology) : null;
  const owning = c?.shards.filter((s) => s.slotCount > 0).length ?? 0;
  return (
    <>
      <span>
        cluster{' '}
        <strong className={c?.state === 'ok' ? 'mono' : 'mono bad'} data-testid="cluster-state">
          {c?.state ?? 'not observed yet'}
        </strong>
      </span>
      <span className="muted">
        {owning} master{owning === 1 ? '' : 's'} with slots · {c?.slotsCovered ?? 0}/16384 slots
      </span>
    </>
  );
}

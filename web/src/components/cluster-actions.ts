import type { ClusterActionRequest, DeploymentState } from '../../../src/server/contract.js';
import { jobRunning } from '../cluster-view.js';
import type { PendingAction } from './actions.js';
import { clusterOf } from '../../../src/model/topology.js';

const CLUSTER_ACTIONS: ReadonlySet<string> = new Set<ClusterActionRequest['action']>([
  'cluster-failover',
  'reshard',
  'rebalance',
  'add-node',
  'del-node',
]);

/** True for a request that goes to POST .../cluster rather than .../actions. */
export function isClusterRequest(
  request: PendingAction['request'],
): request is ClusterActionRequest {
  return CLUSTER_ACTIONS.has(request.action);
}

/** Whether the deployment offers a cluster action at all (hidden otherwise). */
export function offers(
  deployment: DeploymentState,
  action: ClusterActionRequest['action'],
): boolean {
  return deployment.capabilities.cluster.includes(action);
}

/** Why cluster actions wait right now (a job runs), or null. */
function clusterBusy(deployment: DeploymentState): string | null {
  const job = deployment.clusterJob;
  return job && jobRunning(job) ? `wait for the running job: ${job.description}` : null;
}

/** `redis-4 (127.0.0.1:7003)` when quorum launched it, else the address. */
export function nodeName(deployment: DeploymentState, addr: string): string {
  const name = deployment.processes.find((p) => p.addr === addr)?.name;
  return name ? `${name} (${addr})` : addr;
}

function pending(
  deployment: DeploymentState,
  request: ClusterActionRequest,
  label: string,
  title: string,
  body: string,
  why: string,
  enabled = true,
): PendingAction {
  const busy = clusterBusy(deployment);
  return {
    request,
    label,
    title,
    body,
    danger: true,
    enabled: enabled && busy === null,
    why: busy ?? why,
  };
}

/**
 * CLUSTER FAILOVER on a replica. With its master reachable the replica catches up first and no
 * acknowledged write is lost; with the master flagged failing only FORCE can work (no handshake
 * with the master, the other masters still vote).
 */
export function clusterFailoverAction(
  deployment: DeploymentState,
  replica: string,
): PendingAction | null {
  const cluster = deployment.topology ? clusterOf(deployment.topology) : null;
  if (!cluster || !offers(deployment, 'cluster-failover')) return null;
  const shard = cluster.shards.find((s) => s.replicas.some((r) => r.addr === replica));
  if (!shard) return null;
  const master = shard.master ?? shard.masterId.slice(0, 8);
  const masterUp =
    !shard.masterFailed &&
    deployment.topology?.nodes.find((n) => n.addr === shard.master)?.up === true;
  const who = nodeName(deployment, replica);
  return pending(
    deployment,
    { action: 'cluster-failover', node: replica, mode: masterUp ? 'default' : 'force' },
    'Failover',
    `Promote ${who}?`,
    masterUp
      ? `CLUSTER FAILOVER on ${who}: ${master} stops accepting writes, ${who} catches up with it and takes over its ${shard.slotCount} slots; ${master} becomes its replica. No acknowledged write is lost.`
      : `CLUSTER FAILOVER FORCE on ${who}: its master ${master} does not answer, so ${who} takes over its ${shard.slotCount} slots without waiting for it, once a majority of masters agree. Writes ${master} acknowledged but did not send on are lost.`,
    masterUp ? 'CLUSTER FAILOVER' : 'CLUSTER FAILOVER FORCE (the master is failing)',
  );
}

export function reshardAction(
  deployment: DeploymentState,
  from: string,
  to: string,
  slots: number,
): PendingAction {
  return pending(
    deployment,
    { action: 'reshard', from, to, slots },
    'Reshard',
    `Move ${slots} slots?`,
    `Move ${slots} slots from ${nodeName(deployment, from)} to ${nodeName(deployment, to)}, one at a time: each slot is marked IMPORTING/MIGRATING, its keys are MIGRATEd, then it is assigned to the new owner. Clients keep working (they follow ASK and MOVED).`,
    'moves slots with their keys',
    from !== to && slots >= 1,
  );
}

export function rebalanceAction(
  deployment: DeploymentState,
  useEmptyMasters: boolean,
): PendingAction {
  return pending(
    deployment,
    { action: 'rebalance', useEmptyMasters },
    'Rebalance',
    'Rebalance the slots?',
    `Move slots between masters until each owns about the same number${useEmptyMasters ? ', giving masters without slots their share too' : ' (masters without slots stay empty)'}. Keys move with their slots; clients keep working.`,
    'evens out the slots',
  );
}

export function addNodeAction(
  deployment: DeploymentState,
  replicaOf: string | null,
): PendingAction {
  return pending(
    deployment,
    { action: 'add-node', replicaOf },
    'Add node',
    'Add a node?',
    replicaOf
      ? `Start one more redis-server, join it to the cluster (CLUSTER MEET) and make it a replica of ${nodeName(deployment, replicaOf)}.`
      : 'Start one more redis-server and join it to the cluster (CLUSTER MEET) as a master without slots; reshard or rebalance with empty masters to give it some.',
    'starts and joins a local node',
  );
}

/** Nodes that may leave: replicas, and masters without slots (their slots must be moved first). */
export function removable(deployment: DeploymentState): string[] {
  const cluster = deployment.topology ? clusterOf(deployment.topology) : null;
  if (!cluster) return [];
  return cluster.shards
    .flatMap((s) => [
      ...(s.slotCount === 0 && s.master ? [s.master] : []),
      ...s.replicas.map((r) => r.addr).filter((a): a is string => a !== null),
    ])
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

export function delNodeAction(deployment: DeploymentState, node: string): PendingAction {
  const who = nodeName(deployment, node);
  return pending(
    deployment,
    { action: 'del-node', node },
    'Remove node',
    `Remove ${who}?`,
    `Remove ${who} from the cluster as redis-cli --cluster del-node does: every other node forgets it (CLUSTER FORGET) and it shuts down. A master must own no slots.`,
    'removes the node from the cluster',
    removable(deployment).includes(node),
  );
}

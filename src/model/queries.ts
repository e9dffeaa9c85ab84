import type { Addr } from './address.js';
import type { DataNode, SentinelTopology, Topology } from './topology.js';

/** The replicas that are up and follow `master` now (pure). */
export function replicasOf(topology: Topology, master: Addr): Addr[] {
  return topology.nodes
    .filter((n) => n.up && n.role === 'replica' && n.replication.masterAddr === master)
    .map((n) => n.addr);
}

/** How long the sentinels wait before calling the master down: the longest any of them uses (pure). */
export function downAfterOf(topology: SentinelTopology, fallbackMs = 30_000): number {
  const longest = Math.max(0, ...topology.sentinels.map((s) => s.downAfterMs ?? 0));
  return longest > 0 ? longest : fallbackMs;
}

/**
 * The role to show for a node (pure): one that does not answer has no role of its own, but the
 * sentinels (or a cluster's slot map) still name it master, which reads "was master".
 */
export function shownRole(topology: Topology, node: DataNode): string {
  if (node.up || node.role !== 'unknown') return node.role;
  const named =
    topology.kind === 'sentinel'
      ? [topology.agreement.master, ...topology.sentinels.map((s) => s.masterAddr)]
      : topology.cluster.shards.map((s) => s.master);
  return named.includes(node.addr) ? 'was master' : node.role;
}

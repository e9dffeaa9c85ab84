import type { Addr } from './address.js';
import type { SentinelTopology, Topology } from './topology.js';

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

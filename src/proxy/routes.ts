import type { Addr, Topology } from '../model/index.js';

export type ReadFallback = 'master' | 'refuse';

export interface RouteOptions {
  /** A replica further behind than this many bytes gets no reads. */
  maxLagBytes: number;
  readFallback: ReadFallback;
}

/** Why a replica gets no reads, or null when it qualifies (pure). */
export function readExclusion(
  topology: Topology,
  addr: Addr,
  master: Addr | null,
  options: RouteOptions,
): string | null {
  const node = topology.nodes.find((n) => n.addr === addr);
  if (!node || !node.up) return 'down';
  if (node.role !== 'replica') return `says role:${node.role}`;
  if (master !== null && node.replication.masterAddr !== master)
    return `follows ${node.replication.masterAddr ?? 'no master'}`;
  if (node.replication.linkUp !== true) return 'master_link_status:down';
  if (node.loading) return 'loading';
  if (node.sdownBy.length > 0) return 's_down';
  const lag = node.replication.lagBytes;
  if (lag !== null && lag > options.maxLagBytes) return `${String(lag)} bytes behind`;
  return null;
}

/** The replicas that may serve reads now (pure). */
export function readableReplicas(
  topology: Topology,
  master: Addr | null,
  options: RouteOptions,
): Addr[] {
  return topology.nodes
    .filter((n) => n.addr !== master && readExclusion(topology, n.addr, master, options) === null)
    .map((n) => n.addr);
}

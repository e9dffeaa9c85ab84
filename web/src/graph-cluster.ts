import type { ClusterState, Topology } from '../../src/model/index.js';
import { formatRanges } from '../../src/model/slots.js';
import type { ProcessInfo } from '../../src/server/contract.js';
import type { GraphEdge, GraphNode } from './graph-nodes.js';
import { COLUMN, formatLag, nodeState, PLAIN, ROW } from './graph-nodes.js';
import type { ShardKeys } from './slotmap.js';

/** How many reachable views flag each node id with `flag`. */
function flagCounts(cluster: ClusterState, flag: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const v of cluster.views) {
    if (!v.up) continue;
    for (const e of v.entries)
      if (e.flags.includes(flag)) counts.set(e.id, (counts.get(e.id) ?? 0) + 1);
  }
  return counts;
}

/**
 * A cluster as columns of shards, ordered by shard key: the master on top with its slots, its
 * replicas side by side on the row below, and edges master -> replica. Shards sharing a key (a
 * failed old master beside the replica that took over) stack in one column, the one with slots
 * first; nodes the cluster does not know sit in a last column.
 */
export function clusterLayout(
  topology: Topology,
  cluster: ClusterState,
  processes: ProcessInfo[],
  keys: ShardKeys,
): { nodes: GraphNode[]; edges: GraphEdge[] } {
  const byAddr = new Map(processes.map((p) => [p.addr, p]));
  const data = new Map(topology.nodes.map((n) => [n.addr, n]));
  const pfail = flagCounts(cluster, 'fail?');
  const fail = flagCounts(cluster, 'fail');
  const node = (
    addr: string,
    id: string | null,
    role: GraphNode['role'],
    x: number,
    y: number,
  ): GraphNode => {
    const n = data.get(addr);
    const shard = cluster.shards.find((s) => s.masterId === id);
    return {
      id: addr,
      kind: 'redis',
      name: byAddr.get(addr)?.name ?? null,
      addr,
      role,
      state: nodeState(n?.up ?? false, byAddr.get(addr)),
      sdownBy: 0,
      odown: false,
      agreedMaster: false,
      dissents: false,
      member: null,
      side: null,
      shard: id === null ? null : (keys[id] ?? null),
      slots: shard ? `${shard.slotCount} slots · ${formatRanges(shard.slots, 2)}` : null,
      pfailBy: id === null ? 0 : (pfail.get(id) ?? 0),
      failBy: id === null ? 0 : (fail.get(id) ?? 0),
      ...PLAIN,
      lag: role === 'replica' && n ? formatLag(n.replication.linkUp, n.replication.lagBytes) : null,
      x,
      y,
    };
  };
  const columns = new Map<number, ClusterState['shards']>();
  cluster.shards.forEach((s, i) => {
    const key = keys[s.masterId] ?? 1000 + i;
    columns.set(key, [...(columns.get(key) ?? []), s]);
  });
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  let left = 0;
  for (const [, shards] of [...columns.entries()].sort((a, b) => a[0] - b[0])) {
    const width = Math.max(1, ...shards.map((s) => s.replicas.length));
    let rowAt = 0;
    for (const s of [...shards].sort((a, b) => b.slotCount - a.slotCount)) {
      if (s.master)
        nodes.push(node(s.master, s.masterId, 'master', left + ((width - 1) * COLUMN) / 2, rowAt));
      rowAt += ROW;
      const replicas = s.replicas.filter((r) => r.addr !== null);
      replicas.forEach((r, i) => {
        const addr = r.addr ?? '';
        nodes.push(
          node(addr, r.id, 'replica', left + (i + (width - replicas.length) / 2) * COLUMN, rowAt),
        );
        if (!s.master) return;
        edges.push({
          id: `${s.master}->${addr}`,
          source: s.master,
          target: addr,
          relation: 'replicates',
          label: null,
          broken: r.failed || data.get(addr)?.replication.linkUp !== true,
          cut: false,
          route: { from: 'bottom', to: 'top', offset: null },
        });
      });
      if (replicas.length > 0) rowAt += ROW;
    }
    left += width * COLUMN;
  }
  const placed = new Set(nodes.map((n) => n.id));
  topology.nodes
    .filter((n) => !placed.has(n.addr))
    .forEach((n, i) => nodes.push(node(n.addr, null, n.role, left, i * ROW)));
  return { nodes, edges };
}

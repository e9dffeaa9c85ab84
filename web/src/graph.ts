import type {
  ClusterState,
  DataNode,
  SentinelTopology,
  SentinelView,
  Topology,
} from '../../src/model/index.js';
import { formatRanges } from '../../src/model/slots.js';
import type { ProcessInfo, ProxyStats } from '../../src/server/contract.js';
import { formatBytes } from '../../src/model/format.js';
import type { NetworkState } from '../../src/server/contract.js';
import type { Side, Sides } from './partition.js';
import { cutLinks, linkKey, memberAt, sideOf } from './partition.js';
import type { ShardKeys } from './slotmap.js';

/** What a graph node shows; rendering is separate (components/TopologyGraph.tsx). */
export interface GraphNode {
  id: string;
  kind: 'redis' | 'sentinel' | 'proxy';
  name: string | null;
  addr: string;
  role: 'master' | 'replica' | 'sentinel' | 'proxy' | 'unknown';
  /** up, down, frozen (a supervised process stopped with SIGSTOP), stopped (by request) */
  state: 'up' | 'down' | 'frozen' | 'stopped';
  /** s_down as seen by n sentinels; o_down when a quorum agrees. */
  sdownBy: number;
  odown: boolean;
  /** The master the sentinels agree on. */
  agreedMaster: boolean;
  /** A sentinel whose belief differs from the agreement. */
  dissents: boolean;
  /** Its lab member (`redis-1`), null off a lab. */
  member: string | null;
  /** The side of the partition being picked it is on. */
  side: Side | null;
  /** Clusters: its shard's key (colour), its slots (masters), and how many nodes flag it PFAIL / FAIL. */
  shard: number | null;
  slots: string | null;
  pfailBy: number;
  failBy: number;
  x: number;
  y: number;
}

export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  relation: 'replicates' | 'monitors' | 'writes' | 'reads';
  label: string | null;
  /** A replication link that is down, or a sentinel naming a different master. */
  broken: boolean;
  /** An active network fault drops the connection this edge stands for. */
  cut: boolean;
}

/** What the graph shows of a lab network: the active cuts, and the sides being picked. */
export interface NetworkView {
  state: NetworkState;
  sides: Sides;
}

/** The id of the proxy's node. */
export const PROXY = 'proxy';

/** Which end of an edge opens the connection it stands for: a one-way cut drops only those. */
const OPENER: Record<GraphEdge['relation'], 'source' | 'target'> = {
  // the replica connects to its master
  replicates: 'target',
  monitors: 'source',
  writes: 'source',
  reads: 'source',
};

const CUT_LABEL = '✂ cut';

/** What the graph shows of the proxy: where each of its ports sends clients now. */
export interface ProxyView {
  write: Pick<ProxyStats['write'], 'addr' | 'master' | 'sessions'>;
  read: Pick<ProxyStats['read'], 'addr' | 'replicas' | 'sessions'>;
}

/** Horizontal distance between nodes in a row, and vertical distance between rows. */
export const COLUMN = 220;
export const ROW = 170;

function formatLag(bytes: number | null): string | null {
  return bytes === null ? null : `lag ${formatBytes(bytes)}`;
}

function row<T>(items: T[], y: number, width: number): { item: T; x: number; y: number }[] {
  const offset = ((width - items.length) * COLUMN) / 2;
  return items.map((item, i) => ({ item, x: offset + i * COLUMN, y }));
}

function nodeState(up: boolean, process: ProcessInfo | undefined): GraphNode['state'] {
  if (process?.state === 'frozen') return 'frozen';
  if (up) return 'up';
  return process?.state === 'stopped' ? 'stopped' : 'down';
}

/** What a node carries only on a cluster. */
const NO_CLUSTER = { shard: null, slots: null, pfailBy: 0, failBy: 0 } as const;

/**
 * The topology as a graph (pure). Sentinel: positions are fixed by identity, not by role:
 * sentinels on the top row and data nodes below, each in address order, so a failover changes
 * colours and edges but moves nothing on screen. Cluster: a column per shard (`keys`, see
 * slotmap.ts), master on top, its replicas side by side below. On a lab network, the edges an
 * active fault cuts are marked, and each node carries its member name and the side of the
 * partition being picked it is on.
 */
export function buildGraph(
  topology: Topology,
  processes: ProcessInfo[] = [],
  proxy: ProxyView | null = null,
  network: NetworkView | null = null,
  keys: ShardKeys = {},
): { nodes: GraphNode[]; edges: GraphEdge[] } {
  const graph =
    topology.kind === 'cluster'
      ? clusterLayout(topology, topology.cluster, processes, keys)
      : layout(topology, processes, proxy);
  if (!network) return graph;
  const cut = cutLinks(network.state, topology, proxy ? [PROXY] : []);
  return {
    nodes: graph.nodes.map((n) => {
      const member = n.kind === 'proxy' ? null : memberAt(network.state, n.addr);
      return { ...n, member, side: member === null ? null : sideOf(network.sides, member) };
    }),
    edges: graph.edges.map((e) => {
      const key =
        OPENER[e.relation] === 'source' ? linkKey(e.source, e.target) : linkKey(e.target, e.source);
      return cut.has(key) ? { ...e, cut: true, label: CUT_LABEL } : e;
    }),
  };
}

function layout(
  topology: SentinelTopology,
  processes: ProcessInfo[],
  proxy: ProxyView | null,
): { nodes: GraphNode[]; edges: GraphEdge[] } {
  const byAddr = new Map(processes.map((p) => [p.addr, p]));
  const master = topology.agreement.master;
  const width = Math.max(topology.nodes.length, topology.sentinels.length);
  const sentinels = row<SentinelView>(topology.sentinels, 0, width).map(
    ({ item: s, x, y }): GraphNode => ({
      id: s.addr,
      kind: 'sentinel',
      name: byAddr.get(s.addr)?.name ?? null,
      addr: s.addr,
      role: 'sentinel',
      state: nodeState(s.up, byAddr.get(s.addr)),
      sdownBy: 0,
      odown: false,
      agreedMaster: false,
      dissents: s.up && master !== null && s.masterAddr !== master,
      member: null,
      side: null,
      ...NO_CLUSTER,
      x,
      y,
    }),
  );
  const data = row<DataNode>(topology.nodes, ROW, width).map(({ item: n, x, y }): GraphNode => ({
    id: n.addr,
    kind: 'redis',
    name: byAddr.get(n.addr)?.name ?? null,
    addr: n.addr,
    role: n.role,
    state: nodeState(n.up, byAddr.get(n.addr)),
    sdownBy: n.sdownBy.length,
    odown: n.odown,
    agreedMaster: n.addr === master,
    dissents: false,
    member: null,
    side: null,
    ...NO_CLUSTER,
    x,
    y,
  }));
  const ids = new Set([...sentinels, ...data].map((n) => n.id));
  const edges: GraphEdge[] = [];
  for (const n of topology.nodes) {
    const from = n.replication.masterAddr;
    if (n.role !== 'replica' || !from || !ids.has(from)) continue;
    edges.push({
      id: `${from}->${n.addr}`,
      source: from,
      target: n.addr,
      relation: 'replicates',
      label: n.replication.linkUp ? formatLag(n.replication.lagBytes) : 'link down',
      broken: n.replication.linkUp !== true,
      cut: false,
    });
  }
  for (const s of topology.sentinels) {
    if (!s.up || !s.masterAddr || !ids.has(s.masterAddr)) continue;
    edges.push({
      id: `${s.addr}=>${s.masterAddr}`,
      source: s.addr,
      target: s.masterAddr,
      relation: 'monitors',
      label: null,
      broken: master !== null && s.masterAddr !== master,
      cut: false,
    });
  }
  if (!proxy) return { nodes: [...sentinels, ...data], edges };
  // the proxy sits below the data nodes, with an edge to each node it sends clients to
  const [at] = row([proxy], 2 * ROW, width);
  const node: GraphNode = {
    id: PROXY,
    kind: 'proxy',
    name: 'proxy',
    addr: `${proxy.write.addr} · ${proxy.read.addr}`,
    role: 'proxy',
    state: 'up',
    sdownBy: 0,
    odown: false,
    agreedMaster: false,
    dissents: false,
    member: null,
    side: null,
    ...NO_CLUSTER,
    x: at?.x ?? 0,
    y: at?.y ?? 2 * ROW,
  };
  if (proxy.write.master && ids.has(proxy.write.master)) {
    edges.push({
      id: `proxy->${proxy.write.master}`,
      source: PROXY,
      target: proxy.write.master,
      relation: 'writes',
      label: `writes · ${String(proxy.write.sessions)} clients`,
      broken: false,
      cut: false,
    });
  }
  for (const r of proxy.read.replicas.filter((a) => ids.has(a))) {
    edges.push({
      id: `proxy~>${r}`,
      source: PROXY,
      target: r,
      relation: 'reads',
      label: 'reads',
      broken: false,
      cut: false,
    });
  }
  return { nodes: [...sentinels, ...data, node], edges };
}

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
function clusterLayout(
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
        const replication = data.get(addr)?.replication;
        const linkUp = replication?.linkUp === true;
        edges.push({
          id: `${s.master}->${addr}`,
          source: s.master,
          target: addr,
          relation: 'replicates',
          label: linkUp ? formatLag(replication.lagBytes) : 'link down',
          broken: r.failed || !linkUp,
          cut: false,
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

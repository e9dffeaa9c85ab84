import type { DataNode, SentinelView, Topology } from '../../src/model/index.js';
import type { ProcessInfo } from '../../src/local/control.js';
import type { ProxyStats } from '../../src/proxy/server.js';
import { formatBytes } from '../../src/model/format.js';

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
}

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

/**
 * The topology as a graph (pure). Positions are fixed by identity, not by role: sentinels on the
 * top row and data nodes below, each in address order, so a failover changes colours and edges
 * but moves nothing on screen.
 */
export function buildGraph(
  topology: Topology,
  processes: ProcessInfo[] = [],
  proxy: ProxyView | null = null,
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
    });
  }
  if (!proxy) return { nodes: [...sentinels, ...data], edges };
  // the proxy sits below the data nodes, with an edge to each node it sends clients to
  const [at] = row([proxy], 2 * ROW, width);
  const node: GraphNode = {
    id: 'proxy',
    kind: 'proxy',
    name: 'proxy',
    addr: `${proxy.write.addr} · ${proxy.read.addr}`,
    role: 'proxy',
    state: 'up',
    sdownBy: 0,
    odown: false,
    agreedMaster: false,
    dissents: false,
    x: at?.x ?? 0,
    y: at?.y ?? 2 * ROW,
  };
  if (proxy.write.master && ids.has(proxy.write.master)) {
    edges.push({
      id: `proxy->${proxy.write.master}`,
      source: 'proxy',
      target: proxy.write.master,
      relation: 'writes',
      label: `writes · ${String(proxy.write.sessions)} clients`,
      broken: false,
    });
  }
  for (const r of proxy.read.replicas.filter((a) => ids.has(a))) {
    edges.push({
      id: `proxy~>${r}`,
      source: 'proxy',
      target: r,
      relation: 'reads',
      label: 'reads',
      broken: false,
    });
  }
  return { nodes: [...sentinels, ...data, node], edges };
}

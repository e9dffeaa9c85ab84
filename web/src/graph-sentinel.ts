import type { DataNode, SentinelTopology, SentinelView } from '../../src/model/index.js';
import type { ProcessInfo } from '../../src/server/contract.js';
import type { GraphEdge, GraphNode, ProxyView } from './graph-nodes.js';
import {
  COLUMN,
  formatLag,
  laneOffset,
  NO_CLUSTER,
  nodeState,
  PLAIN,
  PROXY,
  ROW,
  row,
} from './graph-nodes.js';

/**
 * A Sentinel deployment: sentinels on the top row and data nodes below, each in address order,
 * and the proxy below them with an edge to each node it sends clients to. Replication runs as
 * nested loops below the row of data nodes, so no edge crosses a box; a replica shows its own lag.
 */
export function sentinelLayout(
  topology: SentinelTopology,
  processes: ProcessInfo[],
  proxy: ProxyView | null,
): { nodes: GraphNode[]; edges: GraphEdge[] } {
  const byAddr = new Map(processes.map((p) => [p.addr, p]));
  const nameOf = (addr: string) => byAddr.get(addr)?.name ?? addr;
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
      ...PLAIN,
      names: s.up && s.masterAddr ? nameOf(s.masterAddr) : null,
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
    ...PLAIN,
    lag: n.role === 'replica' ? formatLag(n.replication.linkUp, n.replication.lagBytes) : null,
    x,
    y,
  }));
  const at = new Map([...sentinels, ...data].map((n) => [n.id, n]));
  const edges: GraphEdge[] = [];
  for (const n of topology.nodes) {
    const from = n.replication.masterAddr;
    const source = from ? at.get(from) : undefined;
    const target = at.get(n.addr);
    if (n.role !== 'replica' || !from || !source || !target) continue;
    edges.push({
      id: `${from}->${n.addr}`,
      source: from,
      target: n.addr,
      relation: 'replicates',
      label: null,
      broken: n.replication.linkUp !== true,
      cut: false,
      route: {
        from: 'bottom',
        to: 'bottom',
        offset: laneOffset(Math.abs(target.x - source.x) / COLUMN),
      },
    });
  }
  for (const s of topology.sentinels) {
    if (!s.up || !s.masterAddr || !at.has(s.masterAddr)) continue;
    edges.push({
      id: `${s.addr}=>${s.masterAddr}`,
      source: s.addr,
      target: s.masterAddr,
      relation: 'monitors',
      label: null,
      broken: master !== null && s.masterAddr !== master,
      cut: false,
      route: { from: 'bottom', to: 'top', offset: null },
    });
  }
  if (!proxy) return { nodes: [...sentinels, ...data], edges };
  // the proxy sits below the data nodes, with an edge to each node it sends clients to
  const [place] = row([proxy], 2 * ROW, width);
  const node: GraphNode = {
    id: PROXY,
    kind: 'proxy',
    name: 'proxy',
    addr: proxy.write.addr,
    role: 'proxy',
    state: 'up',
    sdownBy: 0,
    odown: false,
    agreedMaster: false,
    dissents: false,
    member: null,
    side: null,
    ...NO_CLUSTER,
    ...PLAIN,
    ports: { write: proxy.write.addr, read: proxy.read.addr },
    x: place?.x ?? 0,
    y: place?.y ?? 2 * ROW,
  };
  const routes = { from: 'top', to: 'bottom-end', offset: null } as const;
  if (proxy.write.master && at.has(proxy.write.master)) {
    edges.push({
      id: `proxy->${proxy.write.master}`,
      source: PROXY,
      target: proxy.write.master,
      relation: 'writes',
      label: null,
      broken: false,
      cut: false,
      route: routes,
    });
  }
  for (const r of proxy.read.replicas.filter((a) => at.has(a))) {
    edges.push({
      id: `proxy~>${r}`,
      source: PROXY,
      target: r,
      relation: 'reads',
      label: null,
      broken: false,
      cut: false,
      route: routes,
    });
  }
  return { nodes: [...sentinels, ...data, node], edges };
}

import type { DataNode, SentinelTopology, SentinelView } from '../../src/model/index.js';
import type { ProcessInfo } from '../../src/server/contract.js';
import type { GraphEdge, GraphNode, ProxyView } from './graph-nodes.js';
import { formatLag, NO_CLUSTER, nodeState, PROXY, ROW, row } from './graph-nodes.js';

/**
 * A Sentinel deployment: sentinels on the top row and data nodes below, each in address order,
 * and the proxy below them with an edge to each node it sends clients to.
 */
export function sentinelLayout(
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

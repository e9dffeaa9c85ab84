import type { Topology } from '../../src/model/index.js';
import type { NetworkState, ProcessInfo } from '../../src/server/contract.js';
import { clusterLayout } from './graph-cluster.js';
import type { GraphEdge, GraphNode, ProxyView } from './graph-nodes.js';
import { PROXY } from './graph-nodes.js';
import { sentinelLayout } from './graph-sentinel.js';
import type { Sides } from './partition.js';
import { cutLinks, linkKey, memberAt, sideOf } from './partition.js';
import type { ShardKeys } from './slotmap.js';

/** What the graph shows of a lab network: the active cuts, and the sides being picked. */
export interface NetworkView {
  state: NetworkState;
  sides: Sides;
}

/** Which end of an edge opens the connection it stands for: a one-way cut drops only those. */
const OPENER: Record<GraphEdge['relation'], 'source' | 'target'> = {
  // the replica connects to its master
  replicates: 'target',
  monitors: 'source',
  writes: 'source',
  reads: 'source',
};

const CUT_LABEL = '✂ cut';

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
      : sentinelLayout(topology, processes, proxy);
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

import {
  Background,
  Handle,
  Position,
  ReactFlow,
  type Edge,
  type Node,
  type NodeProps,
} from '@xyflow/react';
import { memo, useMemo } from 'react';
import type { Topology } from '../../../src/model/index.js';
import type { ProcessInfo } from '../../../src/server/contract.js';
import type { NetworkView } from '../graph.js';
import { buildGraph } from '../graph.js';
import type { GraphEdge, GraphNode, ProxyView } from '../graph-nodes.js';
import { PROXY } from '../graph-nodes.js';
import type { ShardKeys } from '../slotmap.js';
import { shardColor } from '../slotmap.js';

// a mapped type (not the interface) so it has the index signature React Flow asks of node data
type TopologyNodeData = { [K in keyof GraphNode]: GraphNode[K] } & {
  selected: boolean;
  onSelect: (addr: string) => void;
};

function TopologyNode({ data }: NodeProps<Node<TopologyNodeData>>) {
  const classes = ['tnode', data.role, data.state];
  if (data.sdownBy > 0) classes.push('sdown');
  if (data.odown) classes.push('odown');
  if (data.dissents) classes.push('dissents');
  if (data.selected) classes.push('selected');
  if (data.side) classes.push(`side-${data.side}`);
  if (data.failBy > 0) classes.push('fail');
  else if (data.pfailBy > 0) classes.push('pfail');
  const flags = [
    data.odown ? 'o_down' : null,
    data.sdownBy > 0 ? `s_down by ${data.sdownBy}` : null,
    data.failBy > 0 ? `FAIL by ${data.failBy}` : null,
    data.pfailBy > 0 ? `PFAIL by ${data.pfailBy}` : null,
    data.dissents ? 'disagrees' : null,
    data.state !== 'up' ? data.state : null,
  ]
    .filter(Boolean)
    .join(' · ');
  return (
    <div
      className={classes.join(' ')}
      role="button"
      tabIndex={0}
      data-testid={`node-${data.addr}`}
      data-role={data.role}
      data-state={data.state}
      data-side={data.side ?? undefined}
      data-flags={data.failBy > 0 ? 'fail' : data.pfailBy > 0 ? 'pfail' : undefined}
      style={
        data.shard === null ? undefined : { borderLeft: `6px solid ${shardColor(data.shard)}` }
      }
      onClick={() => data.kind !== 'proxy' && data.onSelect(data.addr)}
      onKeyDown={(e) => e.key === 'Enter' && data.kind !== 'proxy' && data.onSelect(data.addr)}
    >
      {data.kind === 'redis' && <Handle id="monitored" type="target" position={Position.Top} />}
      {data.kind === 'proxy' && <Handle id="routes" type="source" position={Position.Top} />}
      {data.side && <span className="side-badge">{data.side.toUpperCase()}</span>}
      <div className="title">
        <span>{data.name ?? data.addr}</span>
        <span className="role">{data.agreedMaster ? 'master' : data.role}</span>
      </div>
      <div className="addr mono">{data.addr}</div>
      {data.slots && <div className="slots mono">{data.slots}</div>}
      <div className="flags">{flags}</div>
      {/* sentinels look down on the data nodes; replication loops below the row of data nodes */}
      {data.kind !== 'proxy' && <Handle id="out" type="source" position={Position.Bottom} />}
      {data.kind === 'redis' && <Handle id="in" type="target" position={Position.Bottom} />}
    </div>
  );
}

const nodeTypes = { topology: TopologyNode };

const EDGE_COLOR: Record<GraphEdge['relation'], string> = {
  replicates: 'var(--replica)',
  monitors: 'var(--sentinel)',
  writes: 'var(--accent)',
  reads: 'var(--muted)',
};

/**
 * The rendering of buildGraph(): sentinels above, data nodes below, edges for who follows whom;
 * on a lab network, cut edges in red and the sides being picked as rings. A cluster: a column
 * per shard, its colour on each node's left edge, replicas below their master.
 */
export const TopologyGraph = memo(function TopologyGraph({
  topology,
  processes,
  proxy,
  network,
  keys,
  selected,
  onSelect,
}: {
  topology: Topology;
  processes: ProcessInfo[];
  proxy: ProxyView | null;
  network: NetworkView | null;
  /** Clusters: each node's shard key (colour and column). */
  keys?: ShardKeys;
  selected: string | null;
  onSelect: (addr: string) => void;
}) {
  const { nodes, edges } = useMemo(() => {
    const graph = buildGraph(topology, processes, proxy, network, keys);
    // a cluster's replicas sit below their master: the edge enters them from the top
    const below = topology.kind === 'cluster';
    const flowNodes: Node<TopologyNodeData>[] = graph.nodes.map((n) => ({
      id: n.id,
      type: 'topology',
      position: { x: n.x, y: n.y },
      data: { ...n, selected: n.id === selected, onSelect },
      draggable: false,
    }));
    const flowEdges: Edge[] = graph.edges.map((e) => ({
      id: e.id,
      source: e.source,
      target: e.target,
      sourceHandle: e.source === PROXY ? 'routes' : 'out',
      targetHandle: e.relation === 'monitors' || below ? 'monitored' : 'in',
      label: e.label ?? undefined,
      animated: (e.relation === 'replicates' || e.relation === 'writes') && !e.broken && !e.cut,
      // the edge's <g> gets the class: tests and styles find cut edges by it
      className: e.cut ? 'cut' : undefined,
      ariaLabel: e.cut ? `cut: ${e.source} – ${e.target}` : undefined,
      style: {
        stroke: e.broken || e.cut ? 'var(--bad)' : EDGE_COLOR[e.relation],
        strokeDasharray: e.cut
          ? '6 4'
          : e.relation === 'monitors' || e.relation === 'reads'
            ? '4 4'
            : undefined,
        strokeWidth: e.relation === 'replicates' || e.relation === 'writes' || e.cut ? 2 : 1,
      },
      labelStyle: { fill: e.cut ? 'var(--bad)' : 'var(--text)', fontSize: 11 },
      labelBgStyle: { fill: 'var(--panel)' },
    }));
    return { nodes: flowNodes, edges: flowEdges };
  }, [topology, processes, proxy, network, keys, selected, onSelect]);
  return (
    <div className="graph" data-testid="topology-graph">
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        fitView
        fitViewOptions={{ padding: 0.15 }}
        nodesConnectable={false}
        proOptions={{ hideAttribution: true }}
        minZoom={0.3}
      >
        <Background gap={24} size={1} />
      </ReactFlow>
    </div>
  );
});

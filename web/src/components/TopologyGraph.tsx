import {
  Background,
  ControlButton,
  Controls,
  MarkerType,
  ReactFlow,
  type BuiltInEdge,
  type Node,
  type Viewport,
} from '@xyflow/react';
import { memo, useEffect, useMemo, useRef, useState } from 'react';
import type { Topology } from '../../../src/model/index.js';
import type { ProcessInfo } from '../../../src/server/contract.js';
import type { NetworkView } from '../graph.js';
import { buildGraph } from '../graph.js';
import type { GraphEdge, ProxyView } from '../graph-nodes.js';
import type { GraphFit } from '../graph-fit.js';
import { fitGraph } from '../graph-fit.js';
import type { ShardKeys } from '../slotmap.js';
import type { TopologyNodeData } from './TopologyNode.js';
import { TopologyNode } from './TopologyNode.js';

const nodeTypes = { topology: TopologyNode };

const EDGE_COLOR: Record<GraphEdge['relation'], string> = {
  replicates: 'var(--replica)',
  monitors: 'var(--sentinel)',
  writes: 'var(--accent)',
  reads: 'var(--muted)',
};

/** The width of the graph's box, measured; 0 until it is laid out. */
function useWidth(): [React.RefObject<HTMLDivElement | null>, number] {
  const box = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    setWidth(el.clientWidth);
    const observer = new ResizeObserver(() => setWidth(el.clientWidth));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return [box, width];
}

function flowEdge(e: GraphEdge): BuiltInEdge {
  const color = e.broken || e.cut ? 'var(--bad)' : EDGE_COLOR[e.relation];
  const { from, to, offset } = e.route;
  const path =
    offset === null
      ? { type: 'default' as const }
      : { type: 'smoothstep' as const, pathOptions: { offset, borderRadius: 8 } };
  return {
    id: e.id,
    source: e.source,
    target: e.target,
    sourceHandle: `s-${from}`,
    targetHandle: `t-${to}`,
    ...path,
    label: e.label ?? undefined,
    animated: (e.relation === 'replicates' || e.relation === 'writes') && !e.broken && !e.cut,
    // the edge's <g> gets the class: tests and styles find cut edges by it
    className: [e.relation, e.cut ? 'cut' : ''].join(' '),
    ariaLabel: e.cut ? `cut: ${e.source} – ${e.target}` : undefined,
    // the arrow points at the node that follows: the replica, the watched master, the backend
    markerEnd: { type: MarkerType.ArrowClosed, color, width: 14, height: 14 },
    style: {
      stroke: color,
      strokeDasharray: e.cut
        ? '6 4'
        : e.relation === 'monitors' || e.relation === 'reads'
          ? '4 4'
          : undefined,
      strokeWidth: e.relation === 'replicates' || e.relation === 'writes' || e.cut ? 2 : 1.25,
    },
    labelStyle: { fill: e.cut ? 'var(--bad)' : 'var(--text)', fontSize: 12 },
    labelBgStyle: { fill: 'var(--panel)' },
  };
}

/** A short line of an edge's look, as the legend shows it. */
function Sample({ relation }: { relation: GraphEdge['relation'] }) {
  const dashed = relation === 'monitors' || relation === 'reads';
  return (
    <svg width="28" height="10" aria-hidden="true">
      <line
        x1="0"
        y1="5"
        x2="20"
        y2="5"
        stroke={EDGE_COLOR[relation]}
        strokeWidth="2"
        strokeDasharray={dashed ? '4 3' : undefined}
      />
      <path d="M20 1 L27 5 L20 9 Z" fill={EDGE_COLOR[relation]} />
    </svg>
  );
}

const LEGEND: Record<GraphEdge['relation'], string> = {
  replicates: 'replication: the arrow points at the replica',
  monitors: 'a sentinel watches the master it names',
  writes: "the proxy's write port",
  reads: "the proxy's read port",
};

/** What each kind of line on the graph means, for the kinds it draws. */
function GraphLegend({ graph, narrow }: { graph: GraphFit['graph']; narrow: boolean }) {
  const drawn = new Set(graph.edges.map((e) => e.relation));
  return (
    <p className="graph-legend" data-testid="graph-legend">
      {(Object.keys(LEGEND) as GraphEdge['relation'][])
        .filter((r) => drawn.has(r))
        .map((r) => (
          <span key={r}>
            <Sample relation={r} />
            {LEGEND[r]}
          </span>
        ))}
      {narrow && graph.nodes.some((n) => n.kind === 'sentinel') && (
        <span>→ on a sentinel: the master it names</span>
      )}
    </p>
  );
}

/**
 * The rendering of buildGraph(): sentinels above, data nodes below, edges for who follows whom;
 * on a lab network, cut edges in red and the sides being picked as rings. A cluster: a column
 * per shard, its colour on each node's left edge, replicas below their master. Drawn at zoom 1
 * (its box as tall as the graph), in a single column when the box is too narrow for that; the
 * wheel scrolls the page unless zoom and pan are turned on.
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
  const [box, width] = useWidth();
  const graph = useMemo(
    () => buildGraph(topology, processes, proxy, network, keys),
    [topology, processes, proxy, network, keys],
  );
  const fit = useMemo(() => fitGraph(graph, width), [graph, width]);
  const { nodes, edges } = useMemo(() => {
    const flowNodes: Node<TopologyNodeData>[] = fit.graph.nodes.map((n) => ({
      id: n.id,
      type: 'topology',
      position: { x: n.x, y: n.y },
      data: { ...n, selected: n.id === selected, narrow: fit.narrow, onSelect },
      width: n.w,
      height: n.h,
      draggable: false,
    }));
    return { nodes: flowNodes, edges: fit.graph.edges.map(flowEdge) };
  }, [fit, selected, onSelect]);
  const [interactive, setInteractive] = useState(false);
  const [viewport, setViewport] = useState<Viewport>(fit.viewport);
  // a new fit (another layout, another width) puts the graph back where it fits; a new
  // observation that fits the same way leaves a zoom or pan the person made alone
  const { x, y, zoom } = fit.viewport;
  useEffect(() => setViewport({ x, y, zoom }), [x, y, zoom]);
  return (
    <>
      <div
        ref={box}
        className={`graph${interactive ? ' interactive' : ''}`}
        data-testid="topology-graph"
        data-layout={fit.narrow ? 'narrow' : 'wide'}
        style={{ height: fit.height }}
      >
        {width > 0 && (
          <ReactFlow
            nodes={nodes}
            edges={edges}
            nodeTypes={nodeTypes}
            viewport={viewport}
            onViewportChange={setViewport}
            nodesConnectable={false}
            nodesDraggable={false}
            proOptions={{ hideAttribution: true }}
            minZoom={0.3}
            maxZoom={2}
            zoomOnScroll={interactive}
            zoomOnPinch={interactive}
            zoomOnDoubleClick={interactive}
            panOnDrag={interactive}
            preventScrolling={interactive}
          >
            <Background gap={24} size={1} />
            <Controls
              showZoom={interactive}
              showFitView={false}
              showInteractive={false}
              position="top-right"
              orientation="horizontal"
            >
              <ControlButton
                onClick={() => setViewport(fit.viewport)}
                title="fit the graph to its box (reset zoom and pan)"
                aria-label="fit the graph"
              >
                ⤢
              </ControlButton>
              <ControlButton
                onClick={() => setInteractive((on) => !on)}
                title={interactive ? 'turn zoom and pan off' : 'turn zoom and pan on'}
                aria-label="zoom and pan"
                aria-pressed={interactive}
              >
                ✥
              </ControlButton>
            </Controls>
          </ReactFlow>
        )}
      </div>
      <GraphLegend graph={fit.graph} narrow={fit.narrow} />
    </>
  );
});

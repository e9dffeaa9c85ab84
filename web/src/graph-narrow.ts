import type { GraphEdge, GraphNode } from './graph-nodes.js';
import { laneOffset, NODE_HEIGHT } from './graph-nodes.js';

/** The narrow layout's width in graph units: it fits a phone (390 px) at zoom 1. */
export const NARROW_WIDTH = 320;
const GAP = 8;
const SENTINEL_HEIGHT = 52;
const SENTINELS_PER_ROW = 3;
const STEP = NODE_HEIGHT + 20;

/** The extent of a graph, its boxes and the loops its routed edges make around them (pure). */
export interface Bounds {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The box around every node and every loop of an edge (pure). */
export function graphBounds(graph: { nodes: GraphNode[]; edges: GraphEdge[] }): Bounds {
  if (graph.nodes.length === 0) return { x: 0, y: 0, width: 0, height: 0 };
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const n of graph.nodes) {
    [x0, y0] = [Math.min(x0, n.x), Math.min(y0, n.y)];
    [x1, y1] = [Math.max(x1, n.x + n.w), Math.max(y1, n.y + n.h)];
  }
  for (const e of graph.edges) {
    const { offset, from } = e.route;
    const n = byId.get(e.source);
    if (offset === null || !n) continue;
    if (from === 'left') x0 = Math.min(x0, n.x - offset);
    if (from === 'right') x1 = Math.max(x1, n.x + n.w + offset);
    if (from === 'bottom' || from === 'bottom-end') y1 = Math.max(y1, n.y + n.h + offset);
  }
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/**
 * The same graph for a narrow screen (pure): the sentinels as small boxes in rows of three that
 * say which master each names (no edge for it), then the data nodes one under the other in the
 * order of the wide layout (a cluster: shard by shard), then the proxy. Replication loops on the
 * left of the column, the proxy's edges on the right; farther pairs loop wider.
 */
export function narrowLayout(graph: { nodes: GraphNode[]; edges: GraphEdge[] }): {
  nodes: GraphNode[];
  edges: GraphEdge[];
} {
  const sentinels = graph.nodes.filter((n) => n.kind === 'sentinel');
  const column = graph.nodes.filter((n) => n.kind !== 'sentinel');
  const perRow = Math.min(SENTINELS_PER_ROW, sentinels.length);
  const small = (NARROW_WIDTH - GAP * (perRow - 1)) / Math.max(1, perRow);
  const rows = Math.ceil(sentinels.length / SENTINELS_PER_ROW);
  const top = rows * (SENTINEL_HEIGHT + GAP) + (rows > 0 ? 2 * GAP : 0);
  const index = new Map(column.map((n, i) => [n.id, i]));
  const rowsApart = (e: GraphEdge) =>
    Math.abs((index.get(e.source) ?? 0) - (index.get(e.target) ?? 0));
  const edges = graph.edges
    .filter((e) => e.relation !== 'monitors')
    .map((e): GraphEdge => {
      const side = e.relation === 'replicates' ? 'left' : 'right';
      return { ...e, route: { from: side, to: side, offset: laneOffset(rowsApart(e)) } };
    });
  const lane = (side: 'left' | 'right') =>
    Math.max(
      0,
      ...edges.filter((e) => e.route.from === side).map((e) => (e.route.offset ?? 0) + 4),
    );
  const [left, right] = [lane('left'), lane('right')];
  return {
    nodes: [
      ...sentinels.map((n, i) => ({
        ...n,
        x: (i % SENTINELS_PER_ROW) * (small + GAP),
        y: Math.floor(i / SENTINELS_PER_ROW) * (SENTINEL_HEIGHT + GAP),
        w: small,
        h: SENTINEL_HEIGHT,
      })),
      ...column.map((n, i) => ({
        ...n,
        x: left,
        y: top + i * STEP,
        w: NARROW_WIDTH - left - right,
        h: NODE_HEIGHT,
      })),
    ],
    edges,
  };
}

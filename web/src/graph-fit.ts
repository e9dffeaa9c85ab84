import type { GraphEdge, GraphNode } from './graph-nodes.js';
import { graphBounds, narrowLayout } from './graph-narrow.js';

/** Space around the graph in its box, in pixels. */
export const GRAPH_PADDING = 12;
/** Room at the top of the box for the graph's buttons. */
const CONTROLS = 40;

/** A graph fitted to its box: which layout, where the view is, and how tall the box is. */
export interface GraphFit {
  graph: { nodes: GraphNode[]; edges: GraphEdge[] };
  narrow: boolean;
  viewport: { x: number; y: number; zoom: number };
  height: number;
}

/**
 * Fits a graph to a box `width` pixels wide (pure): the wide layout at zoom 1 when it fits, else
 * the narrow one, scaled down only if even that does not fit; never scaled up. The box is as
 * tall as the graph, so the text is drawn at its own size and the page scrolls, not the graph.
 */
export function fitGraph(
  wide: { nodes: GraphNode[]; edges: GraphEdge[] },
  width: number,
): GraphFit {
  const room = Math.max(1, width - 2 * GRAPH_PADDING);
  const wideBounds = graphBounds(wide);
  const narrow = wideBounds.width > room;
  const graph = narrow ? narrowLayout(wide) : wide;
  const b = narrow ? graphBounds(graph) : wideBounds;
  const zoom = Math.min(1, room / Math.max(1, b.width));
  return {
    graph,
    narrow,
    viewport: {
      x: (width - b.width * zoom) / 2 - b.x * zoom,
      y: CONTROLS - b.y * zoom,
      zoom,
    },
    height: Math.ceil(b.height * zoom + CONTROLS + GRAPH_PADDING),
  };
}

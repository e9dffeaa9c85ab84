import { describe, expect, it } from 'vitest';
import type { SentinelTopology } from '../../src/model/index.js';
import { topology as sentinelTopology } from '../../src/model/topology.fixture.js';
import { buildGraph } from './graph.js';
import { fitGraph, GRAPH_PADDING } from './graph-fit.js';
import { graphBounds, NARROW_WIDTH, narrowLayout } from './graph-narrow.js';
import { COLUMN, NODE_WIDTH } from './graph-nodes.js';
import { cluster, topology as clusterTopology } from './cluster.fixture.js';
import { assignShardKeys } from './slotmap.js';

const PROXY = {
  write: { addr: '127.0.0.1:6393', master: '127.0.0.1:6390', sessions: 0 },
  read: { addr: '127.0.0.1:6394', replicas: ['127.0.0.1:6391', '127.0.0.1:6392'], sessions: 0 },
};

function sentinelGraph(t: SentinelTopology = sentinelTopology()) {
  return buildGraph(t, [], PROXY);
}

/** Whether two boxes overlap. */
function overlaps(
  a: { x: number; y: number; w: number; h: number },
  b: { x: number; y: number; w: number; h: number },
): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

describe('fitGraph', () => {
  it('draws the wide layout at zoom 1 where it fits (a desktop panel), never larger', () => {
    const graph = sentinelGraph();
    const fit = fitGraph(graph, 820);
    expect(fit.narrow).toBe(false);
    expect(fit.viewport.zoom).toBe(1);
    // centred, and the box as tall as the graph
    const b = graphBounds(graph);
    expect(fit.viewport.x).toBeCloseTo((820 - b.width) / 2 - b.x);
    expect(fit.height).toBeGreaterThanOrEqual(b.height);
    expect(fitGraph(graph, 3000).viewport.zoom).toBe(1);
  });

  it('switches to the narrow layout where the wide one would have to shrink (a phone)', () => {
    const graph = sentinelGraph();
    const wide = graphBounds(graph).width;
    expect(wide).toBe(2 * COLUMN + NODE_WIDTH);
    expect(fitGraph(graph, wide + 2 * GRAPH_PADDING).narrow).toBe(false);
    const phone = fitGraph(graph, 348); // a 390 px phone's panel
    expect(phone.narrow).toBe(true);
    expect(phone.viewport.zoom).toBe(1);
    // a box narrower still: the narrow layout scaled down to fit, not cut
    expect(fitGraph(graph, 300).viewport.zoom).toBeCloseTo(276 / NARROW_WIDTH, 5);
  });
});

describe('narrowLayout', () => {
  it('puts the sentinels in a row of small boxes naming their master, the rest one under the other', () => {
    const { nodes, edges } = narrowLayout(sentinelGraph());
    const sentinels = nodes.filter((n) => n.kind === 'sentinel');
    expect(new Set(sentinels.map((n) => n.y)).size).toBe(1);
    expect(sentinels.every((n) => n.names === '127.0.0.1:6390')).toBe(true);
    const column = nodes.filter((n) => n.kind !== 'sentinel');
    expect(column.map((n) => n.id)).toEqual([
      '127.0.0.1:6390',
      '127.0.0.1:6391',
      '127.0.0.1:6392',
      'proxy',
    ]);
    expect(new Set(column.map((n) => n.x)).size).toBe(1);
    // no two boxes overlap, and everything fits the narrow width
    for (const a of nodes) for (const b of nodes) if (a !== b) expect(overlaps(a, b)).toBe(false);
    expect(graphBounds({ nodes, edges }).width).toBeLessThanOrEqual(NARROW_WIDTH);
    // no sentinel edges; replication loops on the left, the proxy's on the right, nested
    expect(edges.some((e) => e.relation === 'monitors')).toBe(false);
    expect(
      edges.map((e) => [e.relation, e.target, e.route.from, e.route.to, e.route.offset]),
    ).toEqual([
      ['replicates', '127.0.0.1:6391', 'left', 'left', 14],
      ['replicates', '127.0.0.1:6392', 'left', 'left', 24],
      ['writes', '127.0.0.1:6390', 'right', 'right', 34],
      ['reads', '127.0.0.1:6391', 'right', 'right', 24],
      ['reads', '127.0.0.1:6392', 'right', 'right', 14],
    ]);
  });

  it('stacks a cluster shard by shard: each master above its replica', () => {
    const state = cluster();
    const { nodes } = narrowLayout(
      buildGraph(clusterTopology(state), [], null, null, assignShardKeys(state)),
    );
    expect(nodes.map((n) => n.role)).toEqual([
      'master',
      'replica',
      'master',
      'replica',
      'master',
      'replica',
    ]);
    expect(nodes.map((n) => n.y)).toEqual([...nodes.map((n) => n.y)].sort((a, b) => a - b));
  });
});

import { describe, expect, it } from 'vitest';
import type { SentinelTopology } from '../../src/model/index.js';
import { downNode, downSentinel } from '../../src/model/index.js';
import type { NetworkFault, NetworkState } from '../../src/server/contract.js';
import { buildGraph } from './graph.js';
import { COLUMN, ROW } from './graph-nodes.js';
import {
  ADDR,
  cluster,
  FAILED_OVER,
  HEALTHY,
  topology as clusterTopology,
} from './cluster.fixture.js';
import { assignShardKeys } from './slotmap.js';

const LOOPBACK = {
  nodes: ['127.0.0.1:6390', '127.0.0.1:6391', '127.0.0.1:6392'],
  sentinels: ['127.0.0.1:26390', '127.0.0.1:26391', '127.0.0.1:26392'],
};

function topology(master: string, beliefs: string[], addrs = LOOPBACK): SentinelTopology {
  const nodes = addrs.nodes.map((addr) => {
    const n = downNode(addr, '');
    n.up = true;
    n.downReason = null;
    n.role = addr === master ? 'master' : 'replica';
    if (n.role === 'replica')
      n.replication = { ...n.replication, masterAddr: master, linkUp: true, lagBytes: 0 };
    return n;
  });
  const sentinels = beliefs.map((belief, i) => ({
    ...downSentinel(addrs.sentinels[i] ?? '', ''),
    up: true,
    downReason: null,
    masterAddr: belief,
    quorum: 2,
  }));
  return {
    name: 'm',
    kind: 'sentinel',
    masterName: 'm',
    agreement: { master, agreeing: 3, total: 3, candidates: [master] },
    nodes,
    sentinels,
    observedAtMs: 0,
    certificates: [],
  };
}

describe('buildGraph', () => {
  it('draws replication from the master to each replica as nested loops below the row, the lag on the replica', () => {
    const { nodes, edges } = buildGraph(
      topology('127.0.0.1:6390', ['127.0.0.1:6390', '127.0.0.1:6390', '127.0.0.1:6390']),
    );
    expect(nodes.filter((n) => n.kind === 'redis')).toHaveLength(3);
    expect(nodes.find((n) => n.agreedMaster)?.addr).toBe('127.0.0.1:6390');
    expect(nodes.filter((n) => n.kind === 'redis').map((n) => n.lag)).toEqual([
      null,
      'lag 0 B',
      'lag 0 B',
    ]);
    const replication = edges.filter((e) => e.relation === 'replicates');
    // no label piled on the lines; the farther replica's loop runs outside the nearer one's
    expect(replication.map((e) => [e.source, e.target, e.label, e.route])).toEqual([
      ['127.0.0.1:6390', '127.0.0.1:6391', null, { from: 'bottom', to: 'bottom', offset: 14 }],
      ['127.0.0.1:6390', '127.0.0.1:6392', null, { from: 'bottom', to: 'bottom', offset: 24 }],
    ]);
    expect(edges.filter((e) => e.relation === 'monitors' && !e.broken)).toHaveLength(3);
  });

  it('shows a replica whose link is down as such, on the replica and as a broken edge', () => {
    const t = topology('127.0.0.1:6390', ['127.0.0.1:6390', '127.0.0.1:6390', '127.0.0.1:6390']);
    const r = t.nodes[1];
    if (r) r.replication = { ...r.replication, linkUp: false };
    const { nodes, edges } = buildGraph(t);
    expect(nodes.find((n) => n.addr === '127.0.0.1:6391')?.lag).toBe('link down');
    expect(edges.find((e) => e.target === '127.0.0.1:6391')?.broken).toBe(true);
  });

  it('puts the proxy below the data nodes, routing writes to the master and reads to replicas', () => {
    const t = topology('127.0.0.1:6390', ['127.0.0.1:6390', '127.0.0.1:6390', '127.0.0.1:6390']);
    const { nodes, edges } = buildGraph(t, [], {
      write: { addr: '127.0.0.1:6393', master: '127.0.0.1:6390', sessions: 4 },
      read: { addr: '127.0.0.1:6394', replicas: ['127.0.0.1:6392'], sessions: 1 },
    });
    const proxy = nodes.find((n) => n.kind === 'proxy');
    expect(proxy?.y).toBe(2 * ROW);
    // each port on a line of its own, labelled
    expect(proxy?.ports).toEqual({ write: '127.0.0.1:6393', read: '127.0.0.1:6394' });
    expect(
      edges.filter((e) => e.source === 'proxy').map((e) => [e.relation, e.target, e.label]),
    ).toEqual([
      ['writes', '127.0.0.1:6390', null],
      ['reads', '127.0.0.1:6392', null],
    ]);
    expect(buildGraph(t).nodes.some((n) => n.kind === 'proxy')).toBe(false);
  });

  it('keeps every node where it was after a failover, so nothing jumps', () => {
    const before = buildGraph(
      topology('127.0.0.1:6390', ['127.0.0.1:6390', '127.0.0.1:6390', '127.0.0.1:6390']),
    ).nodes;
    const after = buildGraph(
      topology('127.0.0.1:6391', ['127.0.0.1:6391', '127.0.0.1:6391', '127.0.0.1:6391']),
    ).nodes;
    expect(after.map((n) => [n.id, n.x, n.y])).toEqual(before.map((n) => [n.id, n.x, n.y]));
    expect(after.find((n) => n.agreedMaster)?.addr).toBe('127.0.0.1:6391');
    expect(before.filter((n) => n.kind === 'redis').every((n) => n.y === ROW)).toBe(true);
  });

  it('marks a sentinel that names another master as dissenting, and its edge as broken', () => {
    const { nodes, edges } = buildGraph(
      topology('127.0.0.1:6390', ['127.0.0.1:6390', '127.0.0.1:6390', '127.0.0.1:6392']),
    );
    expect(nodes.filter((n) => n.dissents).map((n) => n.addr)).toEqual(['127.0.0.1:26392']);
    expect(edges.filter((e) => e.broken).map((e) => e.target)).toEqual(['127.0.0.1:6392']);
  });

  it('shows a frozen or stopped supervised process as such, not merely down', () => {
    const t = topology('127.0.0.1:6390', ['127.0.0.1:6390', '127.0.0.1:6390', '127.0.0.1:6390']);
    const n = t.nodes[2];
    if (n) n.up = false;
    const { nodes } = buildGraph(t, [
      { name: 'redis-3', kind: 'redis', addr: '127.0.0.1:6392', pid: null, state: 'stopped' },
      { name: 'redis-2', kind: 'redis', addr: '127.0.0.1:6391', pid: 12, state: 'frozen' },
    ]);
    expect(nodes.find((x) => x.addr === '127.0.0.1:6392')).toMatchObject({
      state: 'stopped',
      name: 'redis-3',
    });
    expect(nodes.find((x) => x.addr === '127.0.0.1:6391')).toMatchObject({
      state: 'frozen',
      name: 'redis-2',
    });
  });
});

/** Every process of a lab on its own address; client-1 is a member the graph does not show. */
const LAB = {
  nodes: ['198.18.0.2:6379', '198.18.0.3:6379', '198.18.0.4:6379'],
  sentinels: ['198.18.0.5:26379', '198.18.0.6:26379', '198.18.0.7:26379'],
};
const MEMBERS = [
  ...LAB.nodes.map((a, i) => ({ name: `redis-${String(i + 1)}`, addr: a.split(':')[0] ?? '' })),
  ...LAB.sentinels.map((a, i) => ({
    name: `sentinel-${String(i + 1)}`,
    addr: a.split(':')[0] ?? '',
  })),
  { name: 'client-1', addr: '198.18.0.8' },
];

function labGraph(active: NetworkFault[], sides = { a: [] as string[], b: [] as string[] }) {
  const master = LAB.nodes[0] ?? '';
  const t = topology(master, [master, master, master], LAB);
  const state: NetworkState = { members: MEMBERS, active, described: [] };
  const graph = buildGraph(t, [], null, { state, sides });
  return { ...graph, cut: graph.edges.filter((e) => e.cut).map((e) => e.id) };
}

describe('buildGraph on a lab network', () => {
  it('marks the replication edges a partition of the master from its replicas cuts, and nothing else', () => {
    const { edges, cut } = labGraph([
      {
        kind: 'partition',
        groups: [
          ['redis-1', 'client-1'],
          ['redis-2', 'redis-3'],
        ],
      },
    ]);
    expect(cut).toEqual(['198.18.0.2:6379->198.18.0.3:6379', '198.18.0.2:6379->198.18.0.4:6379']);
    expect(edges.filter((e) => e.cut).every((e) => e.label === '✂ cut')).toBe(true);
    // the sentinels are on no side: they still reach the master
    expect(edges.filter((e) => e.relation === 'monitors').some((e) => e.cut)).toBe(false);
  });

  it('cuts a one-way link only where the cut side opens the connection', () => {
    // replicas connect to their master: the master not reaching a replica breaks no edge
    expect(labGraph([{ kind: 'one-way', from: ['redis-1'], to: ['redis-2'] }]).cut).toEqual([]);
    expect(labGraph([{ kind: 'one-way', from: ['redis-2'], to: ['redis-1'] }]).cut).toEqual([
      '198.18.0.2:6379->198.18.0.3:6379',
    ]);
    expect(
      labGraph([{ kind: 'one-way', from: ['sentinel-1', 'sentinel-2'], to: ['redis-1'] }]).cut,
    ).toEqual(['198.18.0.5:26379=>198.18.0.2:6379', '198.18.0.6:26379=>198.18.0.2:6379']);
  });

  it('cuts every edge of an isolated member, named by address too, and none for a slow link', () => {
    const { edges, cut } = labGraph([{ kind: 'isolate', member: '198.18.0.2:6379' }]);
    expect(cut).toHaveLength(
      edges.filter((e) => e.target === '198.18.0.2:6379' || e.source === '198.18.0.2:6379').length,
    );
    expect(cut).toHaveLength(5);
    expect(labGraph([{ kind: 'loss', member: 'redis-1', percent: 30 }]).cut).toEqual([]);
  });

  it('puts the picked sides on the nodes, with their member names', () => {
    const { nodes } = labGraph([], { a: ['redis-1', 'client-1'], b: ['redis-3'] });
    expect(nodes.map((n) => [n.member, n.side])).toEqual([
      ['sentinel-1', null],
      ['sentinel-2', null],
      ['sentinel-3', null],
      ['redis-1', 'a'],
      ['redis-2', null],
      ['redis-3', 'b'],
    ]);
    expect(
      buildGraph(topology('127.0.0.1:6390', ['127.0.0.1:6390'])).nodes.every(
        (n) => n.member === null && n.side === null,
      ),
    ).toBe(true);
  });
});

describe('buildGraph for a Redis Cluster', () => {
  const topology = clusterTopology;
  it('puts each shard in a column: master on top with its slots, its replica below, linked', () => {
    const state = cluster();
    const { nodes, edges } = buildGraph(topology(state), [], null, null, assignShardKeys(state));
    expect(nodes.map((n) => [n.addr, n.role, n.x, n.y, n.shard])).toEqual([
      [ADDR.m1, 'master', 0, 0, 0],
      [ADDR.r1, 'replica', 0, ROW, 0],
      [ADDR.m2, 'master', COLUMN, 0, 1],
      [ADDR.r2, 'replica', COLUMN, ROW, 1],
      [ADDR.m3, 'master', 2 * COLUMN, 0, 2],
      [ADDR.r3, 'replica', 2 * COLUMN, ROW, 2],
    ]);
    expect(nodes[0]?.slots).toBe('5461 slots · 0-5460');
    expect(nodes[1]?.slots).toBeNull();
    expect(edges.map((e) => [e.source, e.target, e.relation, e.broken])).toEqual([
      [ADDR.m1, ADDR.r1, 'replicates', false],
      [ADDR.m2, ADDR.r2, 'replicates', false],
      [ADDR.m3, ADDR.r3, 'replicates', false],
    ]);
    expect(nodes.map((n) => n.lag)).toEqual([null, 'lag 0 B', null, 'lag 0 B', null, 'lag 0 B']);
    expect(nodes.every((n) => n.kind === 'redis' && n.failBy === 0)).toBe(true);
  });

  it('keeps a failed-over shard in its column: the promoted replica on top, the old master below, FAIL', () => {
    const keys = assignShardKeys(cluster());
    const state = cluster({ lines: FAILED_OVER, down: ['m1'] });
    const { nodes, edges } = buildGraph(
      topology(state, ['m1']),
      [],
      null,
      null,
      assignShardKeys(state, keys),
    );
    const at = (addr: string) => nodes.find((n) => n.addr === addr);
    expect(at(ADDR.r1)).toMatchObject({ role: 'master', x: 0, y: 0, shard: 0, failBy: 0 });
    expect(at(ADDR.m1)).toMatchObject({ role: 'master', x: 0, y: ROW, failBy: 5, state: 'down' });
    expect(at(ADDR.m2)).toMatchObject({ x: COLUMN, y: 0 });
    expect(edges).toHaveLength(2);
  });

  it('spreads two replicas side by side under their master, and leaves Sentinel fields empty', () => {
    const lines = { ...HEALTHY, r2: { role: 'slave' as const, of: 'm1' as const } };
    const state = cluster({ lines });
    const { nodes } = buildGraph(topology(state), [], null, null, assignShardKeys(state));
    const at = (addr: string) => nodes.find((n) => n.addr === addr);
    expect(at(ADDR.m1)).toMatchObject({ x: COLUMN / 2, y: 0 });
    expect(at(ADDR.r1)).toMatchObject({ x: 0, y: ROW });
    expect(at(ADDR.r2)).toMatchObject({ x: COLUMN, y: ROW });
    expect(at(ADDR.m2)).toMatchObject({ x: 2 * COLUMN, y: 0 });
    expect(at(ADDR.m2)?.sdownBy).toBe(0);
  });
});

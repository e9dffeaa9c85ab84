import { describe, expect, it } from 'vitest';
import type { Addr } from './address.js';
import { diffTopology, MasterMoves } from './diff.js';
import { clusterAfterFailover, clusterTopology } from './topology.fixture.js';
import type { Agreement, DataNode, NodeRole, SentinelTopology, SentinelView } from './topology.js';
import { downNode, downSentinel } from './topology.js';

const A = '127.0.0.1:6390';
const B = '127.0.0.1:6391';
const C = '127.0.0.1:6392';
const S1 = '127.0.0.1:26390';
const S2 = '127.0.0.1:26391';

function up(addr: Addr, role: NodeRole): DataNode {
  return { ...downNode(addr, ''), up: true, downReason: null, role };
}

function sentinelUp(addr: Addr): SentinelView {
  return { ...downSentinel(addr, ''), up: true, downReason: null, masterAddr: A };
}

function agreement(master: Addr | null): Agreement {
  return { master, agreeing: master ? 2 : 1, total: 2, candidates: master ? [master] : [] };
}

function topology(
  nodes: DataNode[],
  sentinels: SentinelView[] = [sentinelUp(S1), sentinelUp(S2)],
  master: Addr | null = A,
): SentinelTopology {
  return {
    name: 'mymaster',
    kind: 'sentinel',
    masterName: 'mymaster',
    agreement: agreement(master),
    nodes,
    sentinels,
    observedAtMs: 0,
    certificates: [],
  };
}

const healthy = () => topology([up(A, 'master'), up(B, 'replica'), up(C, 'replica')]);

describe('diffTopology', () => {
  it('finds no change between equal observations', () => {
    expect(diffTopology(healthy(), healthy())).toEqual([]);
  });

  it('reports a node going down with its reason and the last poll that reached it', () => {
    const before = topology([
      up(A, 'master'),
      { ...up(B, 'replica'), lastSeenMs: 1234 },
      up(C, 'replica'),
    ]);
    const next = topology([
      up(A, 'master'),
      downNode(B, `${B} refused the connection`),
      up(C, 'replica'),
    ]);
    expect(diffTopology(before, next)).toEqual([
      {
        type: 'quorum:node-down',
        message: `${B} is down: ${B} refused the connection`,
        detail: { addr: B, reason: `${B} refused the connection`, lastSeenMs: 1234 },
      },
    ]);
  });

  it('says "no reply" for a node down without a reason', () => {
    const next = topology([
      up(A, 'master'),
      { ...downNode(B, ''), downReason: null },
      up(C, 'replica'),
    ]);
    expect(diffTopology(healthy(), next)[0]?.message).toBe(`${B} is down: no reply`);
  });

  it('reports a node coming up with its role, and no role change', () => {
    const prev = topology([up(A, 'master'), downNode(B, 'refused'), up(C, 'replica')]);
    expect(diffTopology(prev, healthy())).toEqual([
      {
        type: 'quorum:node-up',
        message: `${B} is up as replica`,
        detail: { addr: B, role: 'replica' },
      },
    ]);
  });

  it('reports a role change of a node that stayed up', () => {
    const next = topology([up(A, 'master'), up(B, 'master'), up(C, 'replica')]);
    expect(diffTopology(healthy(), next)).toEqual([
      {
        type: 'quorum:role-change',
        message: `${B} changed role from replica to master`,
        detail: { addr: B, from: 'replica', to: 'master' },
      },
    ]);
  });

  it('reports the agreed master changing', () => {
    const next = topology([up(A, 'replica'), up(B, 'master'), up(C, 'replica')], undefined, B);
    const changes = diffTopology(healthy(), next);
    expect(changes.map((c) => c.type)).toEqual([
      'quorum:role-change',
      'quorum:role-change',
      'quorum:master-change',
    ]);
    expect(changes[2]).toEqual({
      type: 'quorum:master-change',
      message: `the sentinels agree on master ${B} (was ${A})`,
      detail: { from: A, to: B, agreeing: 2, total: 2 },
    });
  });

  it('reports the sentinels no longer agreeing on a master', () => {
    const next = topology([up(A, 'master'), up(B, 'replica'), up(C, 'replica')], undefined, null);
    expect(diffTopology(healthy(), next)).toEqual([
      {
        type: 'quorum:master-change',
        message: `the sentinels no longer agree on a master (was ${A})`,
        detail: { from: A, to: null, agreeing: 1, total: 2 },
      },
    ]);
  });

  it('reports a first agreement without a previous master', () => {
    const prev = topology([up(A, 'master')], undefined, null);
    const next = topology([up(A, 'master')], undefined, A);
    expect(diffTopology(prev, next)).toEqual([
      {
        type: 'quorum:master-change',
        message: `the sentinels agree on master ${A}`,
        detail: { from: null, to: A, agreeing: 2, total: 2 },
      },
    ]);
  });

  it('reports a sentinel going down and another coming up', () => {
    const prev = topology(healthy().nodes, [sentinelUp(S1), downSentinel(S2, 'refused')]);
    const next = topology(healthy().nodes, [downSentinel(S1, 'timed out'), sentinelUp(S2)]);
    expect(diffTopology(prev, next)).toEqual([
      {
        type: 'quorum:sentinel-down',
        message: `sentinel ${S1} is down: timed out`,
        detail: { addr: S1, reason: 'timed out' },
      },
      { type: 'quorum:sentinel-up', message: `sentinel ${S2} is up`, detail: { addr: S2 } },
    ]);
  });

  it('reports a newly discovered node, up or down', () => {
    const prev = topology([up(A, 'master')]);
    const next = topology([up(A, 'master'), up(B, 'replica'), downNode(C, 'refused')]);
    expect(diffTopology(prev, next)).toEqual([
      { type: 'quorum:node-discovered', message: `${B} discovered`, detail: { addr: B } },
      { type: 'quorum:node-discovered', message: `${C} discovered`, detail: { addr: C } },
    ]);
  });

  it('does not report a role change for a node that went down', () => {
    const next = topology([downNode(A, 'refused'), up(B, 'replica'), up(C, 'replica')]);
    expect(diffTopology(healthy(), next).map((c) => c.type)).toEqual(['quorum:node-down']);
  });
});

describe('MasterMoves', () => {
  it('counts the agreed master naming another node, not a spell without agreement', () => {
    const moves = new MasterMoves();
    const nodes = [up(A, 'master'), up(B, 'replica')];
    expect(moves.observe(topology(nodes, undefined, A))).toBe(0);
    expect(moves.observe(topology(nodes, undefined, A))).toBe(0);
    expect(moves.observe(topology(nodes, undefined, null))).toBe(0);
    expect(moves.observe(topology(nodes, undefined, B))).toBe(1);
    expect(moves.observe(topology(nodes, undefined, null))).toBe(0);
    expect(moves.observe(topology(nodes, undefined, B))).toBe(0);
    expect(moves.observe(topology(nodes, undefined, C))).toBe(1);
  });

  it('counts a shard failing over in a cluster, and nothing on the first observation', () => {
    const moves = new MasterMoves();
    expect(moves.observe(clusterTopology())).toBe(0);
    expect(moves.observe(clusterTopology())).toBe(0);
    const failedOver = clusterAfterFailover();
    expect(moves.observe(failedOver)).toBe(1);
    expect(moves.observe(failedOver)).toBe(0);
  });
});

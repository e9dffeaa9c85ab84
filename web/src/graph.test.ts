import { describe, expect, it } from 'vitest';
import type { Topology } from '../../src/model/index.js';
import { downNode, downSentinel } from '../../src/model/index.js';
import { buildGraph, ROW } from './graph.js';

function topology(master: string, beliefs: string[]): Topology {
  const nodes = ['127.0.0.1:6390', '127.0.0.1:6391', '127.0.0.1:6392'].map((addr) => {
    const n = downNode(addr, '');
    n.up = true;
    n.downReason = null;
    n.role = addr === master ? 'master' : 'replica';
    if (n.role === 'replica')
      n.replication = { ...n.replication, masterAddr: master, linkUp: true, lagBytes: 0 };
    return n;
  });
  const sentinels = beliefs.map((belief, i) => ({
    ...downSentinel(`127.0.0.1:2639${i}`, ''),
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
  };
}

describe('buildGraph', () => {
  it('draws replication from the master to each replica, labelled with lag, and sentinels to the master', () => {
    const { nodes, edges } = buildGraph(
      topology('127.0.0.1:6390', ['127.0.0.1:6390', '127.0.0.1:6390', '127.0.0.1:6390']),
    );
    expect(nodes.filter((n) => n.kind === 'redis')).toHaveLength(3);
    expect(nodes.find((n) => n.agreedMaster)?.addr).toBe('127.0.0.1:6390');
    const replication = edges.filter((e) => e.relation === 'replicates');
    expect(replication.map((e) => [e.source, e.target, e.label])).toEqual([
      ['127.0.0.1:6390', '127.0.0.1:6391', 'lag 0 B'],
      ['127.0.0.1:6390', '127.0.0.1:6392', 'lag 0 B'],
    ]);
    expect(edges.filter((e) => e.relation === 'monitors' && !e.broken)).toHaveLength(3);
  });

  it('puts the proxy below the data nodes, routing writes to the master and reads to replicas', () => {
    const t = topology('127.0.0.1:6390', ['127.0.0.1:6390', '127.0.0.1:6390', '127.0.0.1:6390']);
    const { nodes, edges } = buildGraph(t, [], {
      write: { addr: '127.0.0.1:6393', master: '127.0.0.1:6390', sessions: 4 },
      read: { addr: '127.0.0.1:6394', replicas: ['127.0.0.1:6392'], sessions: 1 },
    });
    const proxy = nodes.find((n) => n.kind === 'proxy');
    expect(proxy?.y).toBe(2 * ROW);
    expect(
      edges.filter((e) => e.source === 'proxy').map((e) => [e.relation, e.target, e.label]),
    ).toEqual([
      ['writes', '127.0.0.1:6390', 'writes · 4 clients'],
      ['reads', '127.0.0.1:6392', 'reads'],
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

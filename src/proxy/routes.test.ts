import { describe, expect, it } from 'vitest';
import type { DataNode, SentinelTopology } from '../model/index.js';
import { downNode } from '../model/index.js';
import { readableReplicas, readExclusion } from './routes.js';

const M = '127.0.0.1:6390';
const OPTIONS = { maxLagBytes: 1000, readFallback: 'master' as const };

function replica(addr: string, overrides: Partial<DataNode> = {}, lag = 0): DataNode {
  const n = downNode(addr, '');
  return {
    ...n,
    up: true,
    downReason: null,
    role: 'replica',
    replication: { ...n.replication, masterAddr: M, linkUp: true, lagBytes: lag },
    ...overrides,
  };
}

function topology(nodes: DataNode[]): SentinelTopology {
  return {
    name: 'm',
    kind: 'sentinel',
    masterName: 'm',
    agreement: { master: M, agreeing: 3, total: 3, candidates: [M] },
    nodes,
    sentinels: [],
    observedAtMs: 0,
    certificates: [],
  };
}

describe('readExclusion', () => {
  it('says why a replica gets no reads: down, not a replica, another master, link down, loading, s_down, lag', () => {
    const base = replica('127.0.0.1:6391');
    const cases: [DataNode, string | null][] = [
      [base, null],
      [{ ...base, up: false }, 'down'],
      [{ ...base, role: 'master' }, 'says role:master'],
      [
        { ...base, replication: { ...base.replication, masterAddr: '127.0.0.1:9' } },
        'follows 127.0.0.1:9',
      ],
      [{ ...base, replication: { ...base.replication, linkUp: false } }, 'master_link_status:down'],
      [{ ...base, loading: true }, 'loading'],
      [{ ...base, sdownBy: ['127.0.0.1:26390'] }, 's_down'],
      [replica('127.0.0.1:6391', {}, 5000), '5000 bytes behind'],
    ];
    for (const [node, why] of cases)
      expect(readExclusion(topology([node]), node.addr, M, OPTIONS)).toBe(why);
  });

  it('lists only the qualifying replicas, never the master', () => {
    const t = topology([
      replica('127.0.0.1:6391'),
      replica('127.0.0.1:6392', {}, 5000),
      { ...replica(M), role: 'master' },
    ]);
    expect(readableReplicas(t, M, OPTIONS)).toEqual(['127.0.0.1:6391']);
  });
});

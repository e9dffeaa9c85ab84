import { describe, expect, it } from 'vitest';
import { agreeOnMaster } from './agreement.js';
import { downAfterOf, replicasOf, shownRole } from './queries.js';
import type { DataNode, SentinelTopology, SentinelView } from './topology.js';
import { downNode, downSentinel } from './topology.js';

const M = '127.0.0.1:6390';

function node(addr: string, role: DataNode['role'], of: string | null, up = true): DataNode {
  const n = downNode(addr, '');
  return { ...n, up, role, replication: { ...n.replication, masterAddr: of, linkUp: true } };
}

function sentinel(addr: string, downAfterMs: number | null): SentinelView {
  return { ...downSentinel(addr, ''), up: true, downReason: null, masterAddr: M, downAfterMs };
}

function topology(nodes: DataNode[], sentinels: SentinelView[]): SentinelTopology {
  return {
    name: 'mymaster',
    kind: 'sentinel',
    masterName: 'mymaster',
    agreement: agreeOnMaster(sentinels),
    nodes,
    sentinels,
    observedAtMs: 0,
    certificates: [],
  };
}

describe('replicasOf', () => {
  it('lists the replicas that are up and follow the given master, and nothing else', () => {
    const t = topology(
      [
        node(M, 'master', null),
        node('127.0.0.1:6391', 'replica', M),
        node('127.0.0.1:6392', 'replica', M, false),
        node('127.0.0.1:6393', 'replica', '127.0.0.1:9999'),
        node('127.0.0.1:6394', 'master', null),
      ],
      [],
    );
    expect(replicasOf(t, M)).toEqual(['127.0.0.1:6391']);
  });
});

describe('downAfterOf', () => {
  it('takes the longest down-after any sentinel reports, or the fallback when none does', () => {
    const s = (port: number, ms: number | null) => sentinel(`127.0.0.1:${port}`, ms);
    expect(downAfterOf(topology([], [s(1, 5000), s(2, 8000), s(3, null)]))).toBe(8000);
    expect(downAfterOf(topology([], [s(1, null)]))).toBe(30_000);
    expect(downAfterOf(topology([], []), 1234)).toBe(1234);
  });
});

describe('shownRole', () => {
  it('shows a down node the sentinels still name as "was master", and any other as it is', () => {
    const dead = node(M, 'unknown', null, false);
    const replicaDown = node('127.0.0.1:6392', 'unknown', null, false);
    const t = topology(
      [dead, node('127.0.0.1:6391', 'replica', M), replicaDown],
      [sentinel('127.0.0.1:26390', 5000)],
    );
    expect(shownRole(t, dead)).toBe('was master');
    expect(shownRole(t, replicaDown)).toBe('unknown');
    expect(shownRole(t, node('127.0.0.1:6391', 'replica', M))).toBe('replica');
  });
});

import { describe, expect, it } from 'vitest';
import type { QuorumEvent } from '../../src/model/index.js';
import { parseSentinelEvent } from '../../src/model/index.js';
import { groupTimeline, groupTimes } from './timeline.js';

let n = 0;
function sentinel(ms: number, channel: string, payload: string): QuorumEvent {
  const parsed = parseSentinelEvent(channel, payload);
  if (!parsed) throw new Error(`not an event: ${channel}`);
  return {
    id: String(n++),
    ms,
    deployment: 'm',
    source: 'sentinel',
    reports: [],
    detail: {},
    ...parsed,
  };
}
function own(ms: number, type: string): QuorumEvent {
  return {
    id: String(n++),
    ms,
    deployment: 'm',
    type,
    source: 'quorum',
    message: type,
    subject: null,
    switch: null,
    reports: [],
    detail: {},
  };
}

const M = 'master mymaster 127.0.0.1 6390';

describe('groupTimeline', () => {
  it("times a crash failover from the old master's exit: the outage, not Sentinel's part alone", () => {
    const exited: QuorumEvent = {
      ...own(1000, 'quorum:process-exited'),
      detail: { addr: '127.0.0.1:6390' },
    };
    const items = groupTimeline([
      exited,
      sentinel(6000, '+sdown', M),
      sentinel(6100, '+odown', `${M} #quorum 2/2`),
      sentinel(7000, '+switch-master', 'mymaster 127.0.0.1 6390 127.0.0.1 6391'),
      sentinel(7500, '+failover-end', M),
    ]);
    const group = items[1];
    if (group?.kind !== 'group') throw new Error('no failover group');
    expect(group).toMatchObject({
      startMs: 1000,
      durationMs: 6000,
      milestones: { '+sdown': 5000, '+odown': 5100, '+switch-master': 6000 },
    });
    expect(groupTimes(group)).toMatch(
      /^down at [\d:.]+ \(its process exited\), detected after 5\.00 s, new master after 6\.00 s$/,
    );
  });

  it('groups a crash failover with its milestones and duration, leaving quorum events apart', () => {
    const items = groupTimeline([
      own(0, 'quorum:action'),
      sentinel(5000, '+sdown', M),
      sentinel(5100, '+odown', `${M} #quorum 2/2`),
      sentinel(5150, '+try-failover', M),
      own(5160, 'quorum:node-down'),
      sentinel(5200, '+elected-leader', M),
      sentinel(
        6000,
        '+promoted-slave',
        'slave 127.0.0.1:6391 127.0.0.1 6391 @ mymaster 127.0.0.1 6390',
      ),
      sentinel(6100, '+switch-master', 'mymaster 127.0.0.1 6390 127.0.0.1 6391'),
      sentinel(7000, '+failover-end', M),
      own(8000, 'quorum:master-change'),
    ]);
    expect(items.map((i) => (i.kind === 'event' ? i.event.type : 'group'))).toEqual([
      'quorum:action',
      'group',
      'quorum:node-down',
      'quorum:master-change',
    ]);
    const group = items[1];
    if (group?.kind !== 'group') throw new Error('expected a group');
    expect(group).toMatchObject({
      outcome: 'failover',
      durationMs: 1100,
      from: '127.0.0.1:6390',
      to: '127.0.0.1:6391',
    });
    expect(group.milestones).toEqual({
      '+sdown': 0,
      '+odown': 100,
      '+elected-leader': 200,
      '+promoted-slave': 1000,
      '+switch-master': 1100,
    });
    expect(group.events).toHaveLength(7);
  });

  it('groups a manual failover from +try-failover', () => {
    const items = groupTimeline([
      sentinel(0, '+new-epoch', '3'),
      sentinel(10, '+try-failover', M),
      sentinel(900, '+switch-master', 'mymaster 127.0.0.1 6390 127.0.0.1 6392'),
      sentinel(950, '+failover-end', M),
    ]);
    const group = items.find((i) => i.kind === 'group');
    expect(group).toMatchObject({ outcome: 'failover', durationMs: 890, to: '127.0.0.1:6392' });
  });

  it('closes a group as recovered when the master comes back before any election', () => {
    const items = groupTimeline([
      sentinel(0, '+sdown', M),
      sentinel(800, '-sdown', M),
      sentinel(900, '+sdown', 'slave 127.0.0.1:6391 127.0.0.1 6391 @ mymaster 127.0.0.1 6390'),
    ]);
    expect(items[0]).toMatchObject({ kind: 'group', outcome: 'recovered', durationMs: 800 });
    expect(items[1]).toMatchObject({ kind: 'event' });
  });

  it('marks an aborted failover', () => {
    const items = groupTimeline([
      sentinel(0, '+odown', `${M} #quorum 2/2`),
      sentinel(10, '+try-failover', M),
      sentinel(10_000, '-failover-abort-not-elected', M),
    ]);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ kind: 'group', outcome: 'aborted', durationMs: 10_000 });
  });
});

function cluster(ms: number, type: string, detail: QuorumEvent['detail']): QuorumEvent {
  return { ...own(ms, type), detail };
}
const OLD = '127.0.0.1:7000';
const NEW = '127.0.0.1:7003';

describe('groupTimeline on a Redis Cluster', () => {
  it('groups a shard failover: PFAIL and FAIL on the old master, the state changes, the failover', () => {
    const items = groupTimeline([
      own(0, 'quorum:node-down'),
      cluster(6000, 'quorum:node-pfail', { addr: OLD, by: 'x' }),
      cluster(6100, 'quorum:node-pfail', { addr: '127.0.0.1:7004', by: 'x' }),
      cluster(7000, 'quorum:cluster-state', { from: 'ok', to: 'fail' }),
      cluster(7001, 'quorum:node-fail', { addr: OLD, by: 'x' }),
      own(8000, 'quorum:role-change'),
      cluster(8000, 'quorum:cluster-failover', { from: OLD, to: NEW, slots: 5461 }),
      cluster(8000, 'quorum:cluster-state', { from: 'fail', to: 'ok' }),
      cluster(30_000, 'quorum:node-fail-cleared', { addr: OLD }),
    ]);
    expect(items.map((i) => (i.kind === 'event' ? i.event.type : 'group'))).toEqual([
      'quorum:node-down',
      'group',
      'quorum:node-pfail',
      'quorum:role-change',
      'quorum:node-fail-cleared',
    ]);
    expect(items[1]).toMatchObject({
      cluster: true,
      outcome: 'failover',
      from: OLD,
      to: NEW,
      startMs: 6000,
      durationMs: 2000,
      milestones: {
        'quorum:node-pfail': 0,
        'quorum:node-fail': 1001,
        'quorum:cluster-failover': 2000,
      },
    });
    if (items[1]?.kind === 'group') expect(items[1].events).toHaveLength(5);
  });

  it('shows a manual cluster failover as a group of its own, and each failover apart', () => {
    const items = groupTimeline([
      cluster(1000, 'quorum:cluster-failover', { from: OLD, to: NEW, slots: 5461 }),
      cluster(5000, 'quorum:node-fail', { addr: NEW, by: 'x' }),
      cluster(6000, 'quorum:cluster-failover', { from: NEW, to: OLD, slots: 5461 }),
    ]);
    expect(items).toHaveLength(2);
    // asked for, not forced: no node was down, so no duration (not "in 0.00 s")
    expect(items[0]).toMatchObject({ kind: 'group', durationMs: null, startMs: 1000 });
    const manual = items[0];
    expect(manual?.kind === 'group' && groupTimes(manual)).toMatch(
      /no master was flagged down before it \(asked for, or the signs were not seen\)$/,
    );
    expect(items[1]).toMatchObject({ kind: 'group', durationMs: 1000, from: NEW, to: OLD });
  });
});

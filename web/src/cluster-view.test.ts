import { describe, expect, it } from 'vitest';
import { keySlot } from '../../src/model/slots.js';
import type { ClusterJob } from '../../src/server/contract.js';
import { ADDR, cluster, FAILED_OVER, HEALTHY, ID, topology } from './cluster.fixture.js';
import {
  clusterNodeRows,
  jobProgress,
  jobRunning,
  lookupKey,
  newerJob,
  shardRows,
  viewMatrix,
} from './cluster-view.js';
import { assignShardKeys } from './slotmap.js';

describe('shardRows', () => {
  it('lists each master with its replicas, slots, ranges, db0 keys and memory, by shard key', () => {
    const state = cluster();
    const rows = shardRows(topology(state), assignShardKeys(state), [
      { name: 'redis-4', kind: 'redis', addr: ADDR.r1, pid: 1, state: 'running' },
    ]);
    expect(rows.map((r) => [r.master.addr, r.slotCount, r.ranges, r.keys, r.memoryBytes])).toEqual([
      [ADDR.m1, 5461, '0-5460', 10, 2048],
      [ADDR.m2, 5462, '5461-10922', 10, 2048],
      [ADDR.m3, 5461, '10923-16383', 10, 2048],
    ]);
    expect(rows[0]?.replicas).toEqual([
      { id: ID.r1, addr: ADDR.r1, name: 'redis-4', failed: false, up: true },
    ]);
  });

  it('marks a failed master down with no keys, beside the replica that took over', () => {
    const before = assignShardKeys(cluster());
    const state = cluster({ lines: FAILED_OVER, down: ['m1'] });
    const rows = shardRows(topology(state, ['m1']), assignShardKeys(state, before));
    expect(rows.map((r) => [r.master.addr, r.key, r.slotCount, r.master.failed, r.keys])).toEqual([
      [ADDR.r1, 0, 5461, false, 10],
      [ADDR.m1, 0, 0, true, null],
      [ADDR.m2, 1, 5462, false, 10],
      [ADDR.m3, 2, 5461, false, 10],
    ]);
  });
});

describe('viewMatrix', () => {
  it('shows what each node says about each other, marking FAIL flags and nodes that differ', () => {
    const stale = { ...HEALTHY, m2: { role: 'master' as const, slots: '5461-10000' } };
    const state = cluster({ lines: FAILED_OVER, down: ['m1'], views: { r3: stale } });
    const m = viewMatrix(state, { [ADDR.m2]: 'redis-2' });
    expect(m.columns.map((c) => [c.addr, c.up])).toEqual([
      [ADDR.m1, false],
      [ADDR.m2, true],
      [ADDR.m3, true],
      [ADDR.r1, true],
      [ADDR.r2, true],
      [ADDR.r3, true],
    ]);
    const row = (addr: string) => m.rows.find((r) => r.addr === addr)?.cells ?? [];
    // as m2 sees m1, and as the stale r3 sees it (healthy: it missed the failover)
    expect(row(ADDR.m1)[1]).toEqual({ text: 'master · 0 slots · FAIL', odd: true });
    expect(row(ADDR.m1)[5]).toEqual({ text: 'master · 5461 slots', odd: true });
    expect(row(ADDR.m1)[0]).toEqual({ text: '-', odd: false });
    expect(row(ADDR.r1)[2]).toEqual({ text: 'master · 5461 slots', odd: false });
    expect(row(ADDR.r2)[2]).toEqual({ text: 'replica of redis-2', odd: false });
    expect(row(ADDR.r3)[2]).toEqual({ text: `replica of ${ADDR.m3}`, odd: false });
    expect(m.facts[0]?.cells[0]).toEqual({ text: 'down: refused', odd: true });
    expect(state.disagreements).toHaveLength(1);
  });
});

describe('lookupKey', () => {
  it('finds the slot, the hash tag and the owner', () => {
    const state = cluster();
    expect(lookupKey('foo', state)).toMatchObject({ slot: 12182, tag: null });
    expect(lookupKey('foo', state).owner?.master).toBe(ADDR.m3);
    const tagged = lookupKey('user:{42}:cart', state);
    expect(tagged.slot).toBe(keySlot('42'));
    expect(tagged.tag).toBe('42');
    // an empty tag hashes the whole key
    expect(lookupKey('{}x', state).tag).toBeNull();
    expect(lookupKey('foo', null).owner).toBeNull();
  });

  it('says when the slot is being moved', () => {
    const slot = keySlot('foo');
    const state = cluster({ open: { m3: `[${slot}->-${ID.m1}]` } });
    expect(lookupKey('foo', state).move).toEqual({ slot, fromId: ID.m3, toId: ID.m1 });
  });
});

describe('clusterNodeRows', () => {
  it('names the node id, its shard, slots and who flags it', () => {
    const state = cluster({ lines: FAILED_OVER, down: ['m1'] });
    expect(clusterNodeRows(state, ADDR.m1)).toEqual([
      ['node id', ID.m1],
      ['shard of', 'itself (master)'],
      ['slots', '0 · none'],
      ['flagged', 'FAIL by 5'],
    ]);
    expect(clusterNodeRows(state, ADDR.r2)[1]).toEqual(['shard of', ADDR.m2]);
  });
});

function job(overrides: Partial<ClusterJob> = {}): ClusterJob {
  return {
    id: 'j1',
    action: 'reshard',
    description: 'move 200 slots',
    startedMs: 1000,
    endedMs: null,
    done: 0,
    total: 200,
    unit: 'slots',
    keysMoved: 0,
    message: '',
    error: null,
    ...overrides,
  };
}

describe('cluster jobs', () => {
  it('keeps the later sighting: a newer job, an ended one, more progress', () => {
    expect(newerJob(null, job())).toEqual(job());
    expect(newerJob(job({ done: 50 }), job({ done: 20 }))?.done).toBe(50);
    expect(newerJob(job({ endedMs: 5000, done: 200 }), job({ done: 199 }))?.endedMs).toBe(5000);
    expect(newerJob(job({ endedMs: 5000 }), job({ id: 'j2', startedMs: 6000 }))?.id).toBe('j2');
    expect(newerJob(job({ id: 'j2', startedMs: 6000 }), job())?.id).toBe('j2');
  });

  it('reads progress as a fraction and one line', () => {
    expect(jobProgress(job({ done: 50, keysMoved: 12, message: '50/200 slots, 12 keys' }))).toEqual(
      {
        fraction: 0.25,
        text: '50/200 slots · 12 keys moved',
        message: null,
      },
    );
    expect(jobProgress(job({ total: 0, unit: 'steps', message: 'starting' }))).toEqual({
      fraction: null,
      text: '0 steps',
      message: 'starting',
    });
    const ended = job({ endedMs: 9, done: 3, message: '3/200 slots', error: 'MIGRATE failed' });
    expect(jobProgress(ended).message).toBe('MIGRATE failed');
    expect(jobProgress(job({ endedMs: 9, message: 'moved 200 slots' })).message).toBe(
      'moved 200 slots',
    );
    expect(jobRunning(job())).toBe(true);
    expect(jobRunning(job({ endedMs: 1 }))).toBe(false);
    expect(jobRunning(null)).toBe(false);
  });
});

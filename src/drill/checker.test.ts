import { describe, expect, it } from 'vitest';
import type { ReadRecord, WriteOutcome, WriteRecord } from './ledger.js';
import {
  availability,
  checkWrites,
  longestGap,
  stats,
  writeSeries,
  writesByNode,
} from './checker.js';
import { nodeRole } from '../model/index.js';

function w(value: string, outcome: WriteOutcome, startMs = 0, endMs = startMs + 1): WriteRecord {
  return { value, writer: 0, startMs, endMs, outcome };
}

describe('checkWrites', () => {
  it('counts survived, acknowledged-but-lost, indeterminate-present and failed-present values', () => {
    const writes = [
      w('a', 'ack'),
      w('b', 'ack'),
      w('c', 'ack'),
      w('d', 'fail'),
      w('e', 'fail'),
      w('f', 'indeterminate'),
      w('g', 'indeterminate'),
    ];
    const report = checkWrites(writes, new Set(['a', 'c', 'e', 'f', 'zzz']), 0);
    expect(report).toEqual({
      attempted: 7,
      acknowledged: 3,
      failed: 2,
      indeterminate: 2,
      survived: 2,
      ackedLost: 1,
      ackedLostValues: ['b'],
      indeterminatePresent: 1,
      indeterminateLost: 1,
      lateAcked: 0,
      lateAckedLost: 0,
      lateRefused: 0,
      unansweredAfterFault: 1,
      failedPresent: 1,
      lossRate: 1 / 3,
    });
  });

  it('sorts indeterminate writes by their late reply: acknowledged late (and lost), refused late, none', () => {
    const late = (value: string, outcome: 'ack' | 'fail'): WriteRecord => ({
      ...w(value, 'indeterminate', 0, 1000),
      late: { outcome, atMs: 1500 },
    });
    const writes = [
      late('kept', 'ack'),
      late('lost', 'ack'),
      late('refused', 'fail'),
      late('refused-but-there', 'fail'),
      w('silent-there', 'indeterminate'),
      w('silent-missing', 'indeterminate'),
    ];
    const report = checkWrites(writes, new Set(['kept', 'refused-but-there', 'silent-there']), 0);
    expect(report).toMatchObject({
      indeterminate: 6,
      indeterminatePresent: 3,
      // missing and not known unapplied: 'lost' and 'silent-missing'
      indeterminateLost: 2,
      lateAcked: 2,
      lateAckedLost: 1,
      lateRefused: 2,
      // refused, even late, yet present
      failedPresent: 1,
      // the in-time figures stay what the client was told in time
      acknowledged: 0,
      ackedLost: 0,
    });
  });

  it('counts the missing writes sent after the fault that got no reply, even late', () => {
    const writes = [
      w('before', 'indeterminate', 900, 1900),
      w('after', 'indeterminate', 1000, 2000),
      w('after-there', 'indeterminate', 1100, 2100),
      { ...w('after-late-ok', 'indeterminate', 1200, 2200), late: { outcome: 'ack', atMs: 2500 } },
      { ...w('after-refused', 'indeterminate', 1300, 2300), late: { outcome: 'fail', atMs: 2500 } },
    ] satisfies WriteRecord[];
    const report = checkWrites(writes, new Set(['after-there']), 1000);
    expect(report).toMatchObject({ indeterminateLost: 3, unansweredAfterFault: 1 });
  });

  it('counts a value written twice (a client retry) once per write', () => {
    const report = checkWrites([w('a', 'ack'), w('a', 'indeterminate')], new Set(['a']), 0);
    expect(report).toMatchObject({
      attempted: 2,
      acknowledged: 1,
      survived: 1,
      indeterminatePresent: 1,
      ackedLost: 0,
    });
  });

  it('reports a zero loss rate when nothing was acknowledged, and keeps at most 20 lost values', () => {
    expect(checkWrites([w('a', 'fail')], new Set(), 0).lossRate).toBe(0);
    const many = Array.from({ length: 50 }, (_, i) => w(`v${i}`, 'ack'));
    const report = checkWrites(many, new Set(), 0);
    expect(report.ackedLost).toBe(50);
    expect(report.ackedLostValues).toHaveLength(20);
    expect(report.lossRate).toBe(1);
  });
});

describe('longestGap', () => {
  it('is the longest stretch between successes, counting from the start and to the end', () => {
    expect(longestGap([100, 150, 900, 950], 0, 1000)).toBe(750);
    expect(longestGap([10, 20], 0, 1000)).toBe(980);
    expect(longestGap([], 0, 1000)).toBe(1000);
    expect(longestGap([-5, 2000], 0, 1000)).toBe(1000);
  });
});

describe('availability', () => {
  it('finds the first write acknowledged after the fault and the unavailable windows', () => {
    const writes = [
      w('a', 'ack', 900, 950),
      w('b', 'indeterminate', 990, 2000),
      w('c', 'ack', 1000, 1005),
      w('d', 'ack', 3000, 3010),
      w('e', 'ack', 3100, 3110),
    ];
    const reads: ReadRecord[] = [
      { startMs: 1100, endMs: 1101, ok: true },
      { startMs: 1500, endMs: 2500, ok: false },
      { startMs: 2600, endMs: 2601, ok: true },
    ];
    // the fault is at 1000; c was sent at the fault and acknowledged at 1005
    expect(availability(writes, reads, 1000, 4000)).toEqual({
      firstWriteMs: 5,
      writeUnavailableMs: 2005,
      writeUnavailableFromMs: 5,
      readUnavailableMs: 1500,
    });
  });

  it('reports null and the whole window when no write was acknowledged after the fault', () => {
    expect(availability([w('a', 'ack', 0, 10)], [], 100, 1100)).toEqual({
      firstWriteMs: null,
      writeUnavailableMs: 1000,
      writeUnavailableFromMs: 0,
      readUnavailableMs: 1000,
    });
  });
});

describe('writeSeries', () => {
  it('counts acknowledged and other writes per bucket, relative to the fault', () => {
    const writes = [
      w('a', 'ack', 0, 100),
      w('b', 'ack', 0, 200),
      w('c', 'fail', 0, 300),
      w('d', 'indeterminate', 0, 600),
      w('e', 'ack', 0, 5000),
    ];
    expect(writeSeries(writes, 250, 0, 750, 250)).toEqual({
      stepMs: 250,
      fromMs: -250,
      acked: [2, 0, 0],
      failed: [0, 1, 1],
    });
  });
});

describe('stats', () => {
  it('gives min, p50, p95 and max of the numbers, ignoring nulls', () => {
    expect(stats([5, null, 1, 3, 2, 4])).toEqual({ min: 1, p50: 3, p95: 5, max: 5 });
    expect(stats([7])).toEqual({ min: 7, p50: 7, p95: 7, max: 7 });
    expect(stats([null])).toBeNull();
  });
});

describe('nodeRole', () => {
  const run = { oldMaster: '10.77.0.2:6379', newMaster: '10.77.0.3:6379' };

  it('names the old and the new master, and nothing for other nodes', () => {
    expect(nodeRole(run, '10.77.0.2:6379')).toBe('old master');
    expect(nodeRole(run, '10.77.0.3:6379')).toBe('new master');
    expect(nodeRole(run, '10.77.0.4:6379')).toBe('');
  });

  it('calls the master of a run without a failover the old master', () => {
    expect(nodeRole({ oldMaster: 'a:1', newMaster: 'a:1' }, 'a:1')).toBe('old master');
    expect(nodeRole({ oldMaster: null, newMaster: null }, 'a:1')).toBe('');
  });
});

describe('writesByNode', () => {
  it('gives acknowledged writes no client could place a row of their own, so the rows add up', () => {
    const write = (value: string, outcome: WriteOutcome, node?: string): WriteRecord => ({
      value,
      writer: 0,
      startMs: 0,
      endMs: 1,
      outcome,
      ...(node ? { node } : {}),
    });
    const writes = [
      write('1', 'ack', 'a:1'),
      write('2', 'ack', 'a:1'),
      write('3', 'ack'),
      write('4', 'fail', 'a:1'),
      write('5', 'ack', 'b:1'),
    ];
    const rows = writesByNode(writes, new Set(['1', '3', '5']));
    expect(rows).toEqual([
      { node: 'a:1', acked: 2, lost: 1 },
      { node: 'node not known', acked: 1, lost: 0 },
      { node: 'b:1', acked: 1, lost: 0 },
    ]);
    expect(rows.reduce((n, r) => n + r.acked, 0)).toBe(
      checkWrites(writes, new Set(['1', '3', '5']), 0).acknowledged,
    );
  });
});

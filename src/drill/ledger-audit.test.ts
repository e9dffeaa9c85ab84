import { OPEN_ACCESS } from '../redis/index.js';
import { describe, expect, it } from 'vitest';
import type { WriteRecord } from './ledger.js';
import { expectedWrites, sequenceProblem, tailProblem } from './ledger-audit.js';
import type { NetnsWorkloadSpec } from './workload-wire.js';

function writes(writer: number, seqs: number[]): WriteRecord[] {
  return seqs.map((seq) => ({
    value: `${writer}:${seq}`,
    writer,
    startMs: 0,
    endMs: 1,
    outcome: 'ack',
  }));
}

const sentinel = (via: 'sentinel' | 'role-check'): NetnsWorkloadSpec => ({
  kind: 'sentinel',
  options: {
    sentinels: [],
    masterName: 'm',
    access: OPEN_ACCESS,
    sentinelAccess: OPEN_ACCESS,
    writers: 4,
    rate: 1000,
    readers: 1,
    timeoutMs: 1000,
    key: 'drill:1',
    via,
    nodes: [],
    proxy: null,
  },
});

describe('sequenceProblem', () => {
  it('accepts every writer numbered from 0 without a hole, in any order', () => {
    expect(sequenceProblem([...writes(0, [0, 1, 2]), ...writes(1, [1, 0])])).toBeNull();
    expect(sequenceProblem([])).toBeNull();
  });

  it('names a hole (a lost line), a repeat and a value that is not the writer own', () => {
    expect(sequenceProblem([...writes(0, [0, 1, 3]), ...writes(1, [0])])).toBe(
      "writer 0's records skip or repeat at write 2 (found 3 there)",
    );
    expect(sequenceProblem(writes(2, [0, 1, 1]))).toBe(
      "writer 2's records skip or repeat at write 2 (found 1 there)",
    );
    expect(sequenceProblem(writes(1, [1, 2]))).toMatch(/writer 1's records skip/);
    expect(sequenceProblem(writes(0, [0]).map((w) => ({ ...w, writer: 3 })))).toBe(
      'the write 0:0 does not name its writer 3 and a sequence number',
    );
  });
});

describe('tailProblem', () => {
  it('accepts records that match each writer final count', () => {
    expect(tailProblem([3, 2], [...writes(0, [0, 1, 2]), ...writes(1, [1, 0])])).toBeNull();
    expect(tailProblem([0, 0], [])).toBeNull();
  });

  it('names a lost tail, which leaves no hole in the sequence', () => {
    const ledger = [...writes(0, [0, 1]), ...writes(1, [0, 1, 2])];
    expect(sequenceProblem(ledger)).toBeNull();
    expect(tailProblem([5, 3], ledger)).toBe('counted 5 writes of writer 0 but 2 arrived');
    expect(tailProblem([2, 3, 1], ledger)).toBe('counted 1 writes of writer 2 but 0 arrived');
  });

  it('names a missing final count and a writer the count does not know', () => {
    expect(tailProblem(null, writes(0, [0]))).toBe('sent no final count of their writes');
    expect(tailProblem([1], [...writes(0, [0]), ...writes(1, [0])])).toBe(
      'sent writes of writer 1, which their final count does not name',
    );
  });
});

/** `count` writes of `writer`, each taking `tookMs`. */
function timed(writer: number, count: number, tookMs: number): WriteRecord[] {
  return writes(
    writer,
    Array.from({ length: count }, (_, i) => i),
  ).map((w) => ({ ...w, endMs: w.startMs + tookMs }));
}

describe('expectedWrites', () => {
  it("allows up to the rate's worth plus a second, and at least half of each writer's free pace", () => {
    // 4 writers at 1000/s: 4 ms apart; with no time spent in writes, 2500 slots each in 10 s
    expect(expectedWrites(sentinel('sentinel'), 10_000, [])).toEqual({
      min: 4 * (1250 - 1),
      max: 11_004,
    });
    // a writer that spent 6 s waiting on writes (a master unreachable) owes only its 4 s free
    const waited = [...timed(0, 6, 1000), ...timed(1, 0, 0), ...timed(2, 0, 0), ...timed(3, 0, 0)];
    expect(expectedWrites(sentinel('role-check'), 10_000, waited).min).toBe(499 + 3 * 1249);
    // writers busy the whole run owe nothing
    const stuck = [0, 1, 2, 3].flatMap((writer) => timed(writer, 10, 1000));
    expect(expectedWrites(sentinel('sentinel'), 10_000, stuck).min).toBe(0);
    expect(expectedWrites(sentinel('sentinel'), 0, []).min).toBe(0);
  });

  it('fails a ledger that lost more than half of a writer free pace, which the old bound let by', () => {
    // 4 writers for 10 s, each with 500 quick writes arrived (a fifth of its pace)
    const thin = [0, 1, 2, 3].flatMap((writer) => timed(writer, 500, 1));
    const { min } = expectedWrites(sentinel('sentinel'), 10_000, thin);
    expect(thin.length).toBeLessThan(min);
  });

  it('counts a cluster spec’s writers per shard', () => {
    const spec: NetnsWorkloadSpec = {
      kind: 'cluster',
      options: {
        seeds: [],
        access: OPEN_ACCESS,
        writers: 2,
        rate: 600,
        readers: 0,
        timeoutMs: 1000,
        buckets: [
          { key: 'a', slot: 1, shard: 'x:1' },
          { key: 'b', slot: 2, shard: 'y:1' },
          { key: 'c', slot: 3, shard: 'z:1' },
        ],
      },
    };
    // 6 writers, 10 ms apart: 500 of 1000 slots each
    expect(expectedWrites(spec, 10_000, [])).toEqual({ min: 6 * 499, max: 6606 });
  });
});

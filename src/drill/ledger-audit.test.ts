import { describe, expect, it } from 'vitest';
import type { WriteRecord } from './ledger.js';
import { expectedWrites, sequenceProblem } from './ledger-audit.js';
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
    password: null,
    sentinelPassword: null,
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

describe('expectedWrites', () => {
  it("allows up to the rate's worth plus a second, and down to half of timed-out writers' pace", () => {
    // 4 writers at 1000/s: 4 ms apart, each write may wait 1 s
    expect(expectedWrites(sentinel('sentinel'), 10_000)).toEqual({
      min: Math.floor((0.5 * 4 * 10_000) / 1004) - 4,
      max: 11_004,
    });
    // a role-check writer may also wait its timeout to connect
    expect(expectedWrites(sentinel('role-check'), 10_000).min).toBe(
      Math.floor((0.5 * 4 * 10_000) / 2004) - 4,
    );
    expect(expectedWrites(sentinel('sentinel'), 0).min).toBe(0);
  });

  it('counts a cluster spec’s writers per shard', () => {
    const spec: NetnsWorkloadSpec = {
      kind: 'cluster',
      options: {
        seeds: [],
        password: null,
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
    // 6 writers, 10 ms apart
    expect(expectedWrites(spec, 10_000)).toEqual({
      min: Math.floor((0.5 * 6 * 10_000) / 1010) - 6,
      max: 6606,
    });
  });
});

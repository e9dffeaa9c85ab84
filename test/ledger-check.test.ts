import { describe, expect, it } from 'vitest';
import type { LedgerLine } from '../src/drill/index.js';
import { drillRun } from '../src/drill/run.fixture.js';
import { disagreements } from './ledger-check.js';

const FAULT = 10_000;

function line(value: string, outcome: LedgerLine['outcome'], extra: Partial<LedgerLine> = {}) {
  return {
    scenario: 'stop-master',
    faultAtMs: FAULT,
    key: 'drill:1',
    value,
    outcome,
    startMs: FAULT + 100,
    endMs: FAULT + 200,
    node: null,
    late: null,
    present: false,
    ...extra,
  } satisfies LedgerLine;
}

// every kind of write once; the read-back holds a and d
const lines = [
  line('a', 'ack', { present: true }),
  line('b', 'ack'),
  line('c', 'fail'),
  line('d', 'indeterminate', { present: true }),
  line('e', 'indeterminate'),
  line('f', 'indeterminate', { late: { outcome: 'ack', atMs: FAULT + 900 } }),
  line('g', 'indeterminate', { late: { outcome: 'fail', atMs: FAULT + 900 } }),
  line('h', 'indeterminate', { startMs: FAULT - 100 }),
];
const members = new Map([['drill:1', new Set(['a', 'd'])]]);
const truth = {
  attempted: 8,
  acknowledged: 2,
  failed: 1,
  indeterminate: 5,
  survived: 1,
  ackedLost: 1,
  indeterminatePresent: 1,
  indeterminateLost: 3,
  lateAcked: 1,
  lateAckedLost: 1,
  lateRefused: 1,
  unansweredAfterFault: 1,
};

describe('disagreements: the drill against its own ledger and a read-back', () => {
  it('finds none when every count is what the lines and the data say', () => {
    expect(disagreements(drillRun(truth), lines, members)).toEqual([]);
  });

  it('names each late-reply count the drill got wrong', () => {
    const wrong = {
      indeterminateLost: 2,
      lateAcked: 0,
      lateAckedLost: 0,
      lateRefused: 2,
      unansweredAfterFault: 3,
    };
    expect(disagreements(drillRun({ ...truth, ...wrong }), lines, members)).toEqual([
      'indeterminateLost: the drill said 2, the data says 3',
      'lateAcked: the drill said 0, the data says 1',
      'lateAckedLost: the drill said 0, the data says 1',
      'lateRefused: the drill said 2, the data says 1',
      'unansweredAfterFault: the drill said 3, the data says 1',
    ]);
  });
});

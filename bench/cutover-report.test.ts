import { describe, expect, it } from 'vitest';
import {
  cutoverRow,
  cutoverVerdict,
  medianBack,
  missedRuns,
  type CutoverRun,
} from './cutover-report.js';

const SETTLE_MS = 6000;

function run(n: number, quorum: number | null, others: number | null = 5000): CutoverRun {
  return {
    run: n,
    switchMs: 4000,
    backMs: { naive: others, tuned: others, hardened: others, quorum },
  };
}

describe('cutover report', () => {
  it('says quorum takes writes first when its median is the lowest and all came back', () => {
    const results = [run(1, 4010), run(2, 4020), run(3, 4030)];
    expect(cutoverVerdict(results, SETTLE_MS)).toBe(
      "quorum's write port takes writes again first at the median. Every writer came back in every run.",
    );
  });

  it('declares no winner when quorum never came back, and names the misses', () => {
    const results = [run(1, null, null), run(2, null, null)];
    const verdict = cutoverVerdict(results, SETTLE_MS);
    expect(verdict).not.toContain('takes writes again first');
    expect(verdict).toContain('No endpoint takes writes again at the median');
    expect(verdict).toContain("quorum's write port in runs 1, 2");
  });

  it('lets an endpoint that came back beat a quorum that never did', () => {
    const results = [run(1, null), run(2, null), run(3, 4010)];
    expect(medianBack(results, 'quorum')).toBe(Infinity);
    const verdict = cutoverVerdict(results, SETTLE_MS);
    expect(verdict).toContain("quorum's write port was not back in at least half the runs");
    expect(verdict).toContain('Not back 6 s after the switch (counted as never)');
  });

  it('counts a miss as never, so an endpoint cannot win on fewer runs', () => {
    // naive came back fast in its one run and never in the other two: its median is a miss
    const results = [run(1, 4500, 3000), run(2, 4500, null), run(3, 4500, null)];
    const mixed = results.map((r) => ({
      ...r,
      backMs: { ...r.backMs, tuned: 9000, hardened: 9000 },
    }));
    expect(medianBack(mixed, 'naive')).toBe(Infinity);
    expect(missedRuns(mixed, 'naive')).toEqual([2, 3]);
    expect(cutoverVerdict(mixed, SETTLE_MS)).toMatch(
      /^quorum's write port takes writes again first/,
    );
  });

  it('reads "not back" in the table where a median or maximum is a miss', () => {
    const results = [run(1, 4010), run(2, null), run(3, null)];
    expect(cutoverRow(results, 'quorum')).toBe(
      "| quorum's write port | not back | not back | not back | 2 |",
    );
    expect(cutoverRow([run(1, 4010), run(2, 4030)], 'quorum')).toBe(
      "| quorum's write port | 4010 ms | 10 ms | 30 ms | 0 |",
    );
  });
});

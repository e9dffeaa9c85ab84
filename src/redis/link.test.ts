import { describe, expect, it } from 'vitest';
import { reconnectDelay } from './link.js';

/** The delay before jitter for each attempt after the first: doubling from 50 ms, capped at 2 s. */
const BASES: [attempt: number, base: number][] = [
  [2, 200],
  [3, 400],
  [4, 800],
  [5, 1600],
  [6, 2000],
  [7, 2000],
  [20, 2000],
  [1_000_000, 2000],
];

function samples(attempt: number, n = 200): number[] {
  return Array.from({ length: n }, () => reconnectDelay(attempt));
}

describe('reconnectDelay', () => {
  it.each([0, 1])('tries again at once (under 10 ms) on attempt %i', (attempt) => {
    for (const delay of samples(attempt)) {
      expect(Number.isInteger(delay)).toBe(true);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(10);
    }
  });

  it.each(BASES)(
    'waits the base delay plus less than 100 ms of jitter on attempt %i',
    (attempt, base) => {
      for (const delay of samples(attempt)) {
        expect(Number.isInteger(delay)).toBe(true);
        expect(delay).toBeGreaterThanOrEqual(base);
        expect(delay).toBeLessThan(base + 100);
      }
    },
  );

  it('grows with the attempt until the cap', () => {
    // the jitter is under 100 ms, so attempt 2 always waits longer than attempt 0
    expect(Math.min(...samples(2))).toBeGreaterThan(Math.max(...samples(0)));
    expect(Math.min(...samples(6))).toBeGreaterThan(Math.max(...samples(4)));
  });

  it('never exceeds 2.1 s', () => {
    expect(Math.max(...samples(Number.MAX_SAFE_INTEGER))).toBeLessThan(2100);
  });

  it('adds jitter so many links do not reconnect in step', () => {
    // 200 draws from 100 values are all equal with probability 100^-199
    expect(new Set(samples(3)).size).toBeGreaterThan(1);
  });
});

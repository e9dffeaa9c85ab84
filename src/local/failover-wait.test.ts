import { describe, expect, it } from 'vitest';
import { extendDeadline } from './failover-wait.js';

const lost = (nextAttemptAtMs: number) => ({
  master: '127.0.0.1:6390',
  abortedAtMs: nextAttemptAtMs - 10_000,
  by: ['127.0.0.1:26390'],
  nextAttemptAtMs,
});
const base = {
  nowMs: 1000,
  capMs: 100_000,
  failoverTimeoutMs: 10_000,
  lost: null,
  triedAtMs: null,
  inProgress: false,
};

describe('extendDeadline', () => {
  it('keeps the deadline when nothing is pending, and never moves it earlier', () => {
    expect(extendDeadline(40_000, base)).toBe(40_000);
    // a new attempt began: the lost election no longer stands, the deadline stays
    expect(extendDeadline(62_000, { ...base, lost: null })).toBe(62_000);
  });

  it('waits for the retry of a lost election to have its election timeout, and a margin', () => {
    expect(extendDeadline(40_000, { ...base, lost: lost(42_000) })).toBe(42_000 + 10_000 + 5_000);
  });

  it('waits out a failover under way, within the cap', () => {
    expect(extendDeadline(5_000, { ...base, nowMs: 4_000, inProgress: true })).toBe(19_000);
    expect(extendDeadline(40_000, { ...base, lost: lost(99_000) })).toBe(100_000);
    expect(extendDeadline(120_000, { ...base, lost: lost(99_000) })).toBe(120_000);
  });

  it('waits out an attempt the events show began, though no poll saw it under way', () => {
    expect(extendDeadline(5_000, { ...base, nowMs: 9_000, triedAtMs: 8_000 })).toBe(23_000);
    expect(extendDeadline(5_000, { ...base, nowMs: 9_000, triedAtMs: 95_000 })).toBe(100_000);
  });
});

import { describe, expect, it } from 'vitest';
import { restartDelay } from './restart-policy.js';

describe('restartDelay', () => {
  it('waits 1 s after a first crash', () => {
    expect(restartDelay([], 100_000)).toEqual({ delayMs: 1_000, crashes: [100_000] });
  });

  it('doubles the wait for each crash within a minute', () => {
    expect(restartDelay([90_000], 100_000).delayMs).toBe(2_000);
    expect(restartDelay([80_000, 90_000], 100_000).delayMs).toBe(4_000);
  });

  it('forgets crashes older than a minute', () => {
    expect(restartDelay([30_000, 90_000], 100_000)).toEqual({
      delayMs: 2_000,
      crashes: [90_000, 100_000],
    });
  });

  it('never waits longer than 30 s', () => {
    const many = Array.from({ length: 10 }, (_, i) => 95_000 + i);
    expect(restartDelay(many, 100_000).delayMs).toBe(30_000);
  });
});

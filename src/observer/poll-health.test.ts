import { describe, expect, it } from 'vitest';
import { nothingAnswered, PollHealth } from './poll-health.js';

describe('PollHealth', () => {
  it('says once that polls fail, counts every failure, and says once that they recovered', () => {
    const health = new PollHealth();
    expect(health.succeeded()).toBeNull();
    expect(health.failed('timeout')).toEqual({ kind: 'failing', reason: 'timeout' });
    expect(health.failed('refused')).toBeNull();
    expect(health.state).toEqual({ state: 'failing', reason: 'refused' });
    expect(health.failures).toBe(2);
    expect(health.succeeded()).toEqual({ kind: 'recovered', failedPolls: 2 });
    expect(health.succeeded()).toBeNull();
    expect(health.state).toEqual({ state: 'ok' });
    expect(health.failed('again')).toEqual({ kind: 'failing', reason: 'again' });
    expect(health.succeeded()).toEqual({ kind: 'recovered', failedPolls: 1 });
    expect(health.failures).toBe(3);
  });
});

describe('nothingAnswered', () => {
  it('fails a poll only when every read failed', () => {
    expect(nothingAnswered(3, 3)).toBe('no node or sentinel answered (3 of 3 reads failed)');
    expect(nothingAnswered(3, 2)).toBeNull();
    expect(nothingAnswered(0, 0)).toBeNull();
  });
});

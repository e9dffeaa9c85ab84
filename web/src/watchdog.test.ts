import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Watchdog } from './watchdog.js';

describe('Watchdog', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('expires once after the limit without a feed, not before', () => {
    const expired = vi.fn();
    new Watchdog(1000, expired);
    vi.advanceTimersByTime(999);
    expect(expired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(expired).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(10_000);
    expect(expired).toHaveBeenCalledTimes(1);
  });

  it('counts again from each feed, and never expires once stopped', () => {
    const expired = vi.fn();
    const dog = new Watchdog(1000, expired);
    vi.advanceTimersByTime(800);
    dog.feed();
    vi.advanceTimersByTime(800);
    expect(expired).not.toHaveBeenCalled();
    dog.stop();
    vi.advanceTimersByTime(10_000);
    dog.feed();
    vi.advanceTimersByTime(10_000);
    expect(expired).not.toHaveBeenCalled();
  });
});

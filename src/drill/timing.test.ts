import { describe, expect, it } from 'vitest';
import { pause } from './timing.js';

/** Whether `promise` settles in the current turn of the event loop: with no timer and no I/O. */
async function settlesAtOnce(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void promise.then(() => (settled = true));
  // every promise reaction queued meanwhile runs before an immediate does
  await new Promise((resolve) => setImmediate(resolve));
  return settled;
}

describe('pause', () => {
  it('ends when the signal aborts, and at once when it already has', async () => {
    const abort = new AbortController();
    const paused = pause(60_000, abort.signal);
    expect(await settlesAtOnce(paused)).toBe(false);
    abort.abort();
    expect(await settlesAtOnce(paused)).toBe(true);
    expect(await settlesAtOnce(pause(60_000, abort.signal))).toBe(true);
  });
});

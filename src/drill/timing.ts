import { sleep } from '../cluster/links.js';
import { UserError } from '../model/index.js';

export { sleep };

/** The error an interrupted drill ends with, once it healed what it broke. */
export function interrupted(): UserError {
  return new UserError('the drill was interrupted; every fault it injected was healed');
}

/** Read through a call: an abort can come while the run awaits, after an earlier check. */
export function isAborted(signal: AbortSignal): boolean {
  return signal.aborted;
}

/** Sleeps `ms`, or less when the signal aborts; not at all when it already has. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  // an aborted signal fires no more 'abort' events: a listener added now would wait out `ms`
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Calls `check` every 100 ms until it gives a value, the time is up or the signal aborts. */
export async function waitFor<T>(
  timeoutMs: number,
  signal: AbortSignal,
  check: () => Promise<T | undefined>,
): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !signal.aborted) {
    const value = await check();
    if (value !== undefined) return value;
    await sleep(100);
  }
  return undefined;
}

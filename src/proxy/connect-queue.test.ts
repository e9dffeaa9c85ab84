import { describe, expect, it } from 'vitest';
import { ConnectQueue } from './connect-queue.js';

const settled = async (p: Promise<void>) => {
  let done = false;
  void p.then(() => (done = true));
  await new Promise((r) => setImmediate(r));
  return done;
};

describe('ConnectQueue', () => {
  it('lets a session join only after every one accepted before it to the same backend', async () => {
    const queue = new ConnectQueue();
    const first = queue.enter('a:1');
    const second = queue.enter('a:1');
    const other = queue.enter('b:1');
    expect(await settled(first.ready)).toBe(true);
    expect(await settled(other.ready)).toBe(true);
    // the second connected first: it waits for the first to join
    expect(await settled(second.ready)).toBe(false);
    first.leave();
    expect(await settled(second.ready)).toBe(true);
    second.leave();
    other.leave();
    await new Promise((r) => setImmediate(r));
    expect(queue.size).toBe(0);
  });

  it('goes on when a session gives up, and leaving twice changes nothing', async () => {
    const queue = new ConnectQueue();
    const first = queue.enter('a:1');
    const second = queue.enter('a:1');
    const third = queue.enter('a:1');
    first.leave();
    first.leave();
    expect(await settled(second.ready)).toBe(true);
    expect(await settled(third.ready)).toBe(false);
    second.leave();
    expect(await settled(third.ready)).toBe(true);
  });
});

import { OPEN_ACCESS } from './access.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeRedis } from './fake-resp.fixture.js';
import { reconnectDelay, RedisLink } from './link.js';
import { Subscription } from './subscription.js';
import type { LinkState, SubscriptionState } from '../model/index.js';

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

/** Resolves once `read()` returns `want`, woken by each move; fails the test after 5 s. */
function reaches<S>(
  read: () => S,
  want: S,
  onChange: (wake: () => void) => () => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`still ${String(read())}, not ${String(want)}`));
    }, 5000);
    const check = () => {
      if (read() !== want) return;
      clearTimeout(timer);
      stop();
      resolve();
    };
    const stop = onChange(check);
    check();
  });
}

/** Whether `promise` settles in the current turn of the event loop: with no timer and no I/O. */
async function settlesAtOnce(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  // every promise reaction queued meanwhile runs before an immediate does
  await new Promise((resolve) => setImmediate(resolve));
  return settled;
}

describe('RedisLink states', () => {
  const server = new FakeRedis();
  const options = { timeoutMs: 1000, access: OPEN_ACCESS, connectionName: 'quorum-test' };
  let link: RedisLink | null = null;

  beforeAll(() => server.listen());
  afterAll(() => server.stop().catch(() => undefined));
  afterEach(async () => {
    await link?.close();
    link = null;
  });

  function until(l: RedisLink, state: LinkState): Promise<void> {
    return reaches(
      () => l.state,
      state,
      (wake) => l.onChange(wake),
    );
  }

  it('connects, then is ready', async () => {
    link = new RedisLink(server.addr, options);
    expect(link.state).toBe('connecting');
    await expect(link.call('ping')).resolves.toBe('PONG');
    expect(link.snapshot()).toMatchObject({ state: 'ready', lastError: null });
  });

  it('reconnects after its connection is closed, and a call waits for it', async () => {
    link = new RedisLink(server.addr, options);
    await link.call('ping');
    const moves: string[] = [];
    link.onChange(({ from, to }) => moves.push(`${from}->${to}`));
    server.dropClients();
    await until(link, 'reconnecting');
    await expect(link.call('ping')).resolves.toBe('PONG');
    expect(moves).toEqual(['ready->reconnecting', 'reconnecting->ready']);
  });

  it('is down with the reason while nothing listens, fails calls at once, and comes back', async () => {
    link = new RedisLink(server.addr, options);
    await link.call('ping');
    await server.down();
    await until(link, 'down');
    expect(link.snapshot().lastError).toMatch(/refused the connection/);
    const call = link.call('ping');
    // at once: before any timer or I/O could run, so with no wait for a connection or a timeout
    expect(await settlesAtOnce(call)).toBe(true);
    await expect(call).rejects.toThrow(/refused the connection/);
    await server.listen();
    await until(link, 'ready');
    expect(link.snapshot().lastError).toBeNull();
  });

  it('recovers when its connection is closed at its first command, as a CLIENT KILL can', async () => {
    // ioredis declared ready on a connection closed during its handshake commands and never
    // reconnected; a link's first command (its name) is its own, so the close is one failed
    // attempt, and the next connection is ready
    server.dropNextAtFirstCommand(1);
    link = new RedisLink(server.addr, options);
    const moves: string[] = [];
    link.onChange((move) => moves.push(move.to));
    await until(link, 'ready');
    expect(moves).toEqual(['down', 'ready']);
    await expect(link.call('ping')).resolves.toBe('PONG');
  });

  it('is closed for good once closed', async () => {
    const closing = new RedisLink(server.addr, options);
    await closing.call('ping');
    await closing.close();
    expect(closing.state).toBe('closed');
    await expect(closing.call('ping')).rejects.toThrow(/the link is closed/);
  });
});

describe('Subscription states', () => {
  const server = new FakeRedis();
  const options = { timeoutMs: 1000, access: OPEN_ACCESS, connectionName: 'quorum-test' };

  beforeAll(() => server.listen());
  afterAll(() => server.stop().catch(() => undefined));

  it('is live once acknowledged, resubscribing while its connection is lost, then live again', async () => {
    const subscription = new Subscription(server.addr, '*', () => undefined, options);
    const settled = (state: SubscriptionState) =>
      reaches(
        () => subscription.state,
        state,
        (wake) => subscription.onChange(wake),
      );
    try {
      expect(subscription.state).toBe('subscribing');
      await settled('live');
      server.dropClients();
      await settled('resubscribing');
      await settled('live');
    } finally {
      subscription.close();
    }
    expect(subscription.state).toBe('closed');
  });
});

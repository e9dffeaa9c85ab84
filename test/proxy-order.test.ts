import { OPEN_ACCESS } from '../src/redis/index.js';
import { execFileSync } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Observer } from '../src/observer/index.js';
import { MasterTracker, ProxyServer } from '../src/proxy/index.js';
import type { TestDeployment } from './helpers.js';
import { freePorts, startDeployment, waitFor } from './helpers.js';

/** A turn of Node's event loop: no sleep, so that a race window stays as narrow as it is. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

const ROUNDS = 40;

/** A raw client of the proxy: what it received so far, and its connection's promise. */
interface RawClient {
  socket: Socket;
  received: () => string;
  connected: Promise<void>;
}

function open(port: number): RawClient {
  const socket = connect({ host: '127.0.0.1', port, noDelay: true });
  let data = '';
  socket.on('data', (chunk: Buffer) => (data += chunk.toString('latin1')));
  socket.on('error', () => undefined);
  const connected = new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  return { socket, received: () => data, connected };
}

/**
 * Blocked pops are served first come, first served: whoever Redis saw block first gets the first
 * element. That makes the order in which the proxy delivered the clients' first bytes visible.
 */
describe("the proxy's write port keeps the order of a wire", () => {
  let deployment: TestDeployment;
  let master: Redis;
  let observer: Observer | null = null;
  let tracker: MasterTracker | null = null;
  let proxy: ProxyServer | null = null;
  const targets: Record<string, number> = {};

  beforeAll(async () => {
    deployment = await startDeployment('proxy-order', ['--no-dashboard']);
    expect(deployment.up.code, deployment.up.stderr).toBe(0);
    master = new Redis({ host: '127.0.0.1', port: deployment.port, maxRetriesPerRequest: 1 });
    // in this process, so that a test can tell when the proxy handed a session over
    observer = new Observer({
      kind: 'sentinel',
      name: 'mymaster',
      masterName: 'mymaster',
      sentinels: [0, 1, 2].map((i) => `127.0.0.1:${String(deployment.port + 50 + i)}`),
      nodes: [],
      access: OPEN_ACCESS,
      sentinelAccess: OPEN_ACCESS,
    });
    await observer.start();
    tracker = new MasterTracker(observer, OPEN_ACCESS);
    await tracker.start();
    const own = await freePorts(2);
    proxy = new ProxyServer(tracker, {
      host: '127.0.0.1',
      writePort: own,
      readPort: own + 1,
      maxLagBytes: 1024 * 1024,
      readFallback: 'master',
      holdMs: 5000,
      connectTimeoutMs: 1000,
      relayThreads: 4,
    });
    await proxy.listen();
    targets['in process'] = own;
  });

  afterAll(async () => {
    await proxy?.close();
    tracker?.stop();
    await observer?.stop();
    master.disconnect();
    expect((await deployment.down()).code).toBe(0);
  });

  it("serves a new client on the write port while Node's event loop is blocked", async () => {
    const port = targets['in process'] ?? 0;
    const before = proxy?.stats().write.total ?? 0;
    // redis-cli runs while this thread waits for it: nothing in JavaScript can accept or route,
    // so the relay's thread accepted it and connected it to the master (as HAProxy does)
    const reply = execFileSync('redis-cli', ['-p', String(port), 'SET', 'order:blocked', 'yes'], {
      encoding: 'utf8',
      timeout: 10_000,
    });
    expect(reply.trim()).toBe('OK');
    expect(await master.get('order:blocked')).toBe('yes');
    // and told the proxy, which counts it
    await waitFor('the session counted', 5000, () =>
      proxy?.stats().write.total === before + 1 ? true : undefined,
    );
  });

  it("delivers a new session's first command before one sent later on an established session", async () => {
    const port = targets['in process'] ?? 0;
    const sessions = () => proxy?.stats().write.sessions ?? 0;
    // the newest client id Redis has: a new connection has a larger one
    const newestId = async () =>
      Math.max(
        ...[...String(await master.call('CLIENT', 'LIST')).matchAll(/^id=(\d+) /gm)].map((m) =>
          Number(m[1]),
        ),
      );
    const pusher = open(port);
    // a busy relay thread: a reader of 256 KiB values on the same backend, so that the hand-over's
    // wake-up and later bytes often reach the thread in one batch
    const busy = connect({ host: '127.0.0.1', port, noDelay: true });
    busy.on('error', () => undefined);
    let busyBytes = 0;
    busy.on('data', (chunk: Buffer) => (busyBytes += chunk.length));
    await Promise.all([
      pusher.connected,
      new Promise<void>((resolve) => busy.once('connect', () => resolve())),
    ]);
    await waitFor('both sessions', 10_000, () => (sessions() === 2 ? true : undefined));
    await master.set('order:big', Buffer.alloc(256 * 1024, 1));
    const busyLoad = { on: true };
    const running = () => busyLoad.on;
    const load = (async () => {
      while (running()) {
        const before = busyBytes;
        busy.write('GET order:big\r\n'.repeat(8));
        while (running() && busyBytes < before + 8 * 256 * 1024) await turn();
      }
    })();
    const lost: number[] = [];
    try {
      for (let round = 0; round < ROUNDS * 2; round++) {
        const key = `order:later:${String(round)}`;
        const [open0, id0] = [sessions(), await newestId()];
        const fresh = open(port);
        fresh.socket.write(`BLPOP ${key} 0\r\n`);
        try {
          // Redis has its connection and the proxy has handed it over: from here on, a wire
          // would deliver the pop before anything sent on another connection
          while (sessions() === open0) await turn();
          await waitFor('Redis to see the connection', 10_000, async () =>
            (await newestId()) > id0 ? true : undefined,
          );
          const before = pusher.received().length;
          pusher.socket.write(`RPUSH ${key} x\r\nLPOP ${key}\r\n`);
          const reply = await waitFor(
            'the push and pop',
            10_000,
            () => /^:1\r\n(\$-1|\$1\r\nx)\r\n$/.exec(pusher.received().slice(before))?.[1],
          );
          // the popper served first leaves nothing to LPOP; otherwise the pusher took it back
          if (reply !== '$-1') lost.push(round);
          else
            await waitFor(
              'the popper served',
              10_000,
              () => fresh.received().includes('x') || undefined,
            );
        } finally {
          fresh.socket.destroy();
        }
        // its session ended: the next round's hand-over shows in the count of open sessions
        await waitFor('the session to end', 10_000, () =>
          sessions() === open0 ? true : undefined,
        );
      }
    } finally {
      busyLoad.on = false;
      await load;
      pusher.socket.destroy();
      busy.destroy();
    }
    // rounds where the pusher's later command reached Redis before the new session's pop
    expect(lost).toEqual([]);
  });
});

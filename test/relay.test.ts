import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CarriedSession, Relay } from '../src/proxy/index.js';
import { createRelay } from '../src/proxy/index.js';
import { LINGER_MS } from '../src/proxy/relay.js';
import type { TestServer } from './helpers.js';
import { freePorts, sleep, startServer, tempDir, waitFor } from './helpers.js';

/**
 * A listener that connects every client it accepts to Redis and hands both sockets to `relay`,
 * as the proxy does once it has routed a client (half-open allowed, as on the proxy's ports).
 */
async function relayListener(
  relay: Relay,
  redisPort: number,
  onEnd: () => void,
  onCarried: (session: CarriedSession) => void = () => undefined,
): Promise<{ server: Server; port: number }> {
  const server = createServer({ noDelay: true, allowHalfOpen: true }, (client) => {
    client.pause();
    client.on('error', () => undefined);
    const backend = connect({
      host: '127.0.0.1',
      port: redisPort,
      noDelay: true,
      allowHalfOpen: true,
    });
    backend.pause();
    backend.on('error', () => client.destroy());
    backend.once('connect', () => {
      backend.removeAllListeners('error');
      onCarried(relay.carry(client, backend, onEnd));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { server, port: typeof address === 'object' && address ? address.port : 0 };
}

/**
 * The two relays the proxy can use, each carrying sessions between real clients and a real
 * redis-server: a listener that connects every client it accepts to Redis and hands both sockets
 * to the relay, as the proxy does once it has routed a client.
 */
describe.each(['native', 'js'] as const)(
  'the %s relay, between clients and a real redis-server',
  (kind) => {
    let redis: TestServer;
    let dir: string;
    let relay: Relay;
    let listener: Server;
    let port = 0;
    let ended = 0;
    const admin = () => new Redis({ host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: 1 });
    const clientList = async (a: Redis) => String(await a.call('CLIENT', 'LIST'));

    beforeAll(async () => {
      dir = tempDir(`relay-${kind}`);
      const p = await freePorts(1);
      redis = await startServer('redis-server', dir, p, ['--enable-debug-command', 'local']);
      const created = createRelay(kind, 2);
      expect(created.note).toBeNull();
      relay = created.relay;
      expect(relay.kind).toBe(kind);
      ({ server: listener, port } = await relayListener(relay, redis.port, () => ended++));
    });

    afterAll(async () => {
      // Redis first: a close that waits on a connection a failed test left open must not keep it
      // running
      relay.stop();
      await redis.stop();
      await new Promise((resolve) => listener.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    });

    /** Sends `request` on a new connection and collects everything until the relay closes it. */
    function exchange(request: string, halfClose = false): Promise<string> {
      return new Promise((resolve, reject) => {
        const s = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
        let data = '';
        s.on('data', (chunk: Buffer) => (data += chunk.toString('latin1')));
        s.on('error', reject);
        s.on('end', () => {
          s.end();
          resolve(data);
        });
        s.on('connect', () => {
          s.write(request);
          if (halfClose) s.end();
        });
      });
    }

    it('carries every command family unchanged: MULTI/EXEC, blocking pops, pub/sub, large values', async () => {
      const c = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 1 });
      const other = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 1 });
      const sub = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 1 });
      try {
        expect(await c.set('k', 'v')).toBe('OK');
        expect(await c.multi().incr('n').incr('n').exec()).toEqual([
          [null, 1],
          [null, 2],
        ]);
        const big = Buffer.alloc(8 * 1024 * 1024, 7);
        await c.set('big', big);
        expect((await c.getBuffer('big'))?.equals(big)).toBe(true);
        const blocked = other.blpop('queue', 5);
        await sleep(100);
        await c.rpush('queue', 'job');
        expect(await blocked).toEqual(['queue', 'job']);
        const got = new Promise<string>((resolve) =>
          sub.on('message', (_c, m: string) => resolve(m)),
        );
        await sub.subscribe('news');
        await c.publish('news', 'hello');
        expect(await got).toBe('hello');
      } finally {
        for (const r of [c, other, sub]) r.disconnect();
      }
    });

    it("delivers Redis's answer to QUIT and then its close, and to a client that half-closes", async () => {
      const before = ended;
      expect(await exchange('PING\r\nQUIT\r\n')).toBe('+PONG\r\n+OK\r\n');
      // the client says it is done sending: Redis still answers what it sent
      expect(await exchange('PING\r\nECHO tail\r\n', true)).toBe('+PONG\r\n$4\r\ntail\r\n');
      await waitFor('both sessions to end', 5000, () => (ended >= before + 2 ? true : undefined));
      expect(relay.bytes().in).toBeGreaterThan(0);
    });

    it('keeps a half-closed session for as long as Redis takes to answer, past the linger', async () => {
      // a client done sending is not gone: the linger is for a side whose peer went away
      const sleepMs = LINGER_MS + 2000;
      const started = Date.now();
      expect(await exchange(`DEBUG SLEEP ${String(sleepMs / 1000)}\r\n`, true)).toBe('+OK\r\n');
      expect(Date.now() - started).toBeGreaterThanOrEqual(sleepMs);
    });

    it('passes on what a backend says before the client speaks (max clients reached)', async () => {
      const a = admin();
      const [, max = '10000'] = (await a.config('GET', 'maxclients')) as string[];
      try {
        const clients = Number(/connected_clients:(\d+)/.exec(await a.info('clients'))?.[1]);
        await a.config('SET', 'maxclients', String(clients));
        expect(await exchange('')).toMatch(/^-ERR max number of clients reached/);
      } finally {
        await a.config('SET', 'maxclients', max);
        a.disconnect();
      }
    });

    it('ends both sides of a session at once when told to', async () => {
      const a = admin();
      const seen: Socket[] = [];
      const held: { session: CarriedSession | null } = { session: null };
      const own = await relayListener(
        relay,
        redis.port,
        () => undefined,
        (session) => (held.session = session),
      );
      try {
        const c = connect({ host: '127.0.0.1', port: own.port });
        seen.push(c);
        c.on('error', () => undefined);
        // flowing, so that its close is seen
        c.resume();
        c.write('CLIENT SETNAME doomed\r\n');
        await waitFor('the session', 5000, () => (held.session ? true : undefined));
        await waitFor('the name', 5000, async () =>
          (await clientList(a)).includes('name=doomed') ? true : undefined,
        );
        const closed = new Promise<void>((resolve) => c.once('close', () => resolve()));
        held.session?.end();
        await closed;
        await waitFor('Redis to see it go', 5000, async () =>
          (await clientList(a)).includes('name=doomed') ? undefined : true,
        );
      } finally {
        for (const s of seen) s.destroy();
        a.disconnect();
        await new Promise((resolve) => own.server.close(resolve));
      }
    });

    it('holds Redis back instead of growing when a client stops reading', async () => {
      const a = admin();
      await a.set('mib', Buffer.alloc(1024 * 1024, 1));
      const slow = connect({ host: '127.0.0.1', port });
      slow.on('error', () => undefined);
      try {
        await new Promise((r) => slow.once('connect', r));
        slow.pause();
        const before = process.memoryUsage().rss;
        slow.write('CLIENT SETNAME slow\r\n' + 'GET mib\r\n'.repeat(128));
        // the 128 MiB of answers pile up in Redis's output buffer for the relay, not in the relay
        const omem = await waitFor('Redis to hold the answers', 10_000, async () => {
          const line = (await clientList(a)).split('\n').find((l) => l.includes('name=slow'));
          const held = Number(/omem=(\d+)/.exec(line ?? '')?.[1] ?? 0);
          return held > 32 * 1024 * 1024 ? held : undefined;
        });
        const grown = process.memoryUsage().rss - before;
        expect(omem).toBeGreaterThan(32 * 1024 * 1024);
        expect(grown).toBeLessThan(24 * 1024 * 1024);
      } finally {
        slow.destroy();
        a.disconnect();
      }
    });

    it('keeps its sockets out of processes started meanwhile', async () => {
      /** The sockets a child process of this one holds. */
      const inherited = async () => {
        const child = spawn('sh', ['-c', 'for f in /proc/$$/fd/*; do readlink "$f"; done'], {
          stdio: ['ignore', 'pipe', 'ignore'],
        });
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
        await new Promise((resolve) => child.once('close', resolve));
        return out.split('\n').filter((l) => l.startsWith('socket:')).length;
      };
      const before = await inherited();
      const clients = [0, 1, 2].map(
        () => new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 1 }),
      );
      try {
        await Promise.all(clients.map((c) => c.ping()));
        // a descriptor without close-on-exec would be inherited and hold proxied sessions open
        // in the child after the proxy closed them: three sessions would add six sockets here
        expect(await inherited()).toBe(before);
      } finally {
        for (const c of clients) c.disconnect();
      }
    });

    it('ends every session when stopped, and tells', async () => {
      const own = createRelay(kind, 1).relay;
      let ownEnded = 0;
      const { server, port: serverPort } = await relayListener(own, redis.port, () => ownEnded++);
      try {
        const clients = [0, 1, 2].map(
          () =>
            new Redis({
              host: '127.0.0.1',
              port: serverPort,
              maxRetriesPerRequest: 0,
              retryStrategy: () => null,
            }),
        );
        for (const c of clients) c.on('error', () => undefined);
        await Promise.all(clients.map((c) => c.ping()));
        const closed = Promise.all(clients.map((c) => new Promise((r) => c.once('close', r))));
        own.stop();
        await closed;
        await waitFor('every session told', 5000, () => (ownEnded === 3 ? true : undefined));
      } finally {
        own.stop();
        await new Promise((resolve) => server.close(resolve));
      }
    });
  },
);

/**
 * The compiled relay when memory runs out or epoll fails, made to by its test-only knob: what
 * cannot be carried ends (its client is closed and the proxy told, so it is not counted for
 * ever), and the next session is carried.
 */
describe('the native relay, made to fail', () => {
  let redis: TestServer;
  let dir: string;

  beforeAll(async () => {
    dir = tempDir('relay-oom');
    const [p] = [await freePorts(1)];
    redis = await startServer('redis-server', dir, p, []);
  });

  afterAll(async () => {
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A one-thread relay whose `n`th call of `what` fails. */
  function failingRelay(
    what: 'session' | 'queue' | 'epoll' | 'tell',
    n: number,
    log?: (line: string) => void,
  ): Relay {
    process.env.QUORUM_RELAY_FAULT = `${what}:${String(n)}`;
    try {
      return createRelay('native', 1, { log }).relay;
    } finally {
      delete process.env.QUORUM_RELAY_FAULT;
    }
  }

  /** PING on a new connection: what came back before the relay closed it. */
  function ping(port: number): Promise<string> {
    return new Promise((resolve) => {
      const s = connect({ host: '127.0.0.1', port });
      let data = '';
      s.on('data', (chunk: Buffer) => {
        data += chunk.toString('latin1');
        if (data === '+PONG\r\n') s.end();
      });
      s.on('error', () => undefined);
      s.on('close', () => resolve(data));
      s.on('connect', () => s.write('PING\r\n'));
    });
  }

  it.each(['session', 'queue'] as const)(
    'ends only the session hit when an allocation for its %s fails',
    async (what) => {
      const relay = failingRelay(what, 2);
      let ended = 0;
      const { server, port } = await relayListener(relay, redis.port, () => ended++);
      try {
        expect(await ping(port)).toBe('+PONG\r\n');
        await waitFor('the first session to end', 5000, () => (ended === 1 ? true : undefined));
        // the second session's allocation fails: closed, and told, without an answer
        expect(await ping(port)).toBe('');
        await waitFor('the failed session to be told', 5000, () =>
          ended === 2 ? true : undefined,
        );
        expect(await ping(port)).toBe('+PONG\r\n');
        await waitFor('the third session to end', 5000, () => (ended === 3 ? true : undefined));
      } finally {
        relay.stop();
        await new Promise((resolve) => server.close(resolve));
      }
    },
  );

  it('tells the ended sessions it could not tell with the next ones', async () => {
    const relay = failingRelay('tell', 1);
    let ended = 0;
    const { server, port } = await relayListener(relay, redis.port, () => ended++);
    try {
      // the first telling fails: JavaScript hears of those ends with the ones told next
      for (let i = 0; i < 3; i++) expect(await ping(port)).toBe('+PONG\r\n');
      await waitFor('every session to be told', 5000, () => (ended === 3 ? true : undefined));
    } finally {
      relay.stop();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('ends the sessions of a thread whose epoll_wait fails, says why, and carries new ones', async () => {
    const logged: string[] = [];
    // the first wait returns with the hand-over; the second, with the session taken up, fails
    const relay = failingRelay('epoll', 2, (line) => logged.push(line));
    let ended = 0;
    const { server, port } = await relayListener(relay, redis.port, () => ended++);
    try {
      expect(await ping(port)).toBe('');
      await waitFor('the session to be told', 5000, () => (ended === 1 ? true : undefined));
      expect(logged).toEqual([
        'the relay thread stopped: epoll_wait: Bad file descriptor; its sessions ended, new ones are relayed in JavaScript',
      ]);
      // no thread left: JavaScript carries it
      expect(await ping(port)).toBe('+PONG\r\n');
      await waitFor('the next session to end', 5000, () => (ended === 2 ? true : undefined));
    } finally {
      relay.stop();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AcceptHooks, AcceptingRelay, CarriedSession } from '../src/proxy/index.js';
import { RelayAcceptor } from '../src/proxy/acceptor.js';
import { createRelay, isAccepting } from '../src/proxy/index.js';
import type { TestServer } from './helpers.js';
import { freePorts, startServer, tempDir, waitFor } from './helpers.js';

/** What the accepting thread told: sessions it started (by generation), clients handed back. */
interface Told {
  started: number[];
  ended: number;
  back: Socket[];
  lost: number[];
}

/** A listening socket on a free port, with its descriptor. */
async function listening(): Promise<{ server: Server; port: number; fd: number }> {
  const server = createServer({ pauseOnConnect: true });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const handle: unknown = Reflect.get(server, '_handle');
  const fd: unknown = typeof handle === 'object' && handle ? Reflect.get(handle, 'fd') : null;
  if (typeof fd !== 'number' || typeof address !== 'object' || !address)
    throw new Error('no listening descriptor');
  return { server, port: address.port, fd };
}

/** A one-thread compiled relay accepting on a port of its own; `told` collects what it said. */
async function acceptingRelay(connectTimeoutMs = 1000): Promise<{
  relay: AcceptingRelay;
  port: number;
  told: Told;
  server: Server;
}> {
  const created = createRelay('native', 1).relay;
  if (!isAccepting(created)) throw new Error('the compiled relay does not accept');
  const relay = created;
  const { server, port, fd } = await listening();
  const told: Told = { started: [], ended: 0, back: [], lost: [] };
  const hooks: AcceptHooks = {
    started: (gen: number, _carried: CarriedSession) => {
      told.started.push(gen);
      return () => told.ended++;
    },
    handedBack: (client) => told.back.push(client),
    lost: (listenFd) => told.lost.push(listenFd),
  };
  expect(relay.acceptOn(fd, connectTimeoutMs, hooks)).toBe(true);
  // JavaScript lets go of its descriptor: the relay's duplicate keeps the port listening
  server.close();
  return { relay, port, told, server };
}

/** PING on a new connection: what came back before it closed (or `waitMs` passed). */
function ping(port: number, waitMs = 5000): Promise<string> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    let data = '';
    const timer = setTimeout(() => s.destroy(), waitMs);
    s.on('data', (chunk: Buffer) => {
      data += chunk.toString('latin1');
      if (data === '+PONG\r\n') s.end();
    });
    s.on('error', () => undefined);
    s.on('close', () => {
      clearTimeout(timer);
      resolve(data);
    });
    s.on('connect', () => s.write('PING\r\n'));
  });
}

describe('the compiled relay, accepting on the write port itself', () => {
  let redis: TestServer;
  let dir: string;
  const own: { relay: AcceptingRelay | null } = { relay: null };

  beforeAll(async () => {
    dir = tempDir('relay-accept');
    redis = await startServer('redis-server', dir, await freePorts(1), []);
  });

  afterAll(async () => {
    own.relay?.stop();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('connects each client to the target, and tells the proxy of the session and its end', async () => {
    const { relay, port, told } = await acceptingRelay();
    own.relay = relay;
    const gen = relay.target(`127.0.0.1:${String(redis.port)}`);
    expect(gen).not.toBeNull();
    expect(await ping(port)).toBe('+PONG\r\n');
    await waitFor('the session to end', 5000, () => (told.ended === 1 ? true : undefined));
    expect(told.started).toEqual([gen]);
    expect(told.back).toEqual([]);
    relay.stop();
  });

  it("serves a new client while Node's event loop is blocked", async () => {
    const { relay, port } = await acceptingRelay();
    own.relay = relay;
    relay.target(`127.0.0.1:${String(redis.port)}`);
    // redis-cli runs while this thread waits for it: nothing in JavaScript can accept or route
    const reply = execFileSync('redis-cli', ['-p', String(port), 'PING'], {
      encoding: 'utf8',
      timeout: 10_000,
    });
    expect(reply.trim()).toBe('PONG');
    relay.stop();
    // where JavaScript accepts, the same call finds nobody to answer while the loop is blocked
    const js = createServer((c) => c.end('+PONG\r\n'));
    await new Promise<void>((resolve) => js.listen(0, '127.0.0.1', resolve));
    const address = js.address();
    const jsPort = typeof address === 'object' && address ? address.port : 0;
    expect(() =>
      execFileSync('redis-cli', ['-p', String(jsPort), 'PING'], {
        encoding: 'utf8',
        timeout: 1000,
      }),
    ).toThrow();
    await new Promise((resolve) => js.close(resolve));
  });

  it('hands a client back, unread and open, when there is no target or the target refuses', async () => {
    const { relay, port, told } = await acceptingRelay();
    own.relay = relay;
    const clients: Socket[] = [];
    try {
      relay.target(null);
      clients.push(connect({ host: '127.0.0.1', port }).end('PING\r\n'));
      await waitFor('a client handed back', 5000, () =>
        told.back.length === 1 ? true : undefined,
      );
      // nothing listens on 127.0.0.2 at the port Redis holds on 127.0.0.1: refused
      relay.target(`127.0.0.2:${String(redis.port)}`);
      clients.push(connect({ host: '127.0.0.1', port }).end('PING\r\n'));
      await waitFor('both handed back', 5000, () => (told.back.length === 2 ? true : undefined));
      expect(told.started).toEqual([]);
      // nothing was read from them while they waited (their bytes go through the relay, in
      // order, once they have a backend), and nothing is lost: the proxy reads it all later
      await new Promise((resolve) => setTimeout(resolve, 100));
      for (const back of told.back) expect([back.bytesRead, back.readableLength]).toEqual([0, 0]);
      for (const back of told.back) {
        let got = '';
        back.on('data', (chunk: Buffer) => (got += chunk.toString())).resume();
        await waitFor('what the client sent', 5000, () => (got === 'PING\r\n' ? true : undefined));
      }
      // the proxy can still answer them: the sockets are the clients' own
      for (const [i, back] of told.back.entries()) {
        back.write(`+handed back ${String(i)}\r\n`);
        const client = clients[i];
        if (!client) throw new Error('no client');
        const got = await new Promise<string>((resolve) =>
          client.once('data', (chunk: Buffer) => resolve(chunk.toString())),
        );
        expect(got).toBe(`+handed back ${String(i)}\r\n`);
      }
    } finally {
      for (const s of [...clients, ...told.back]) s.destroy();
      relay.stop();
    }
  });

  it('ends the sessions to the earlier target when the target changes', async () => {
    const { relay, port, told } = await acceptingRelay();
    own.relay = relay;
    const first = relay.target(`127.0.0.1:${String(redis.port)}`);
    const client = connect({ host: '127.0.0.1', port });
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.on('error', () => undefined);
    client.write('PING\r\n');
    await new Promise<void>((resolve) => client.once('data', () => resolve()));
    const second = relay.target(`127.0.0.1:${String(redis.port)}`);
    await closed;
    await waitFor('the session told ended', 5000, () => (told.ended === 1 ? true : undefined));
    expect(await ping(port)).toBe('+PONG\r\n');
    expect(told.started).toEqual([first, second]);
    relay.stop();
  });

  it('gives the port back when its thread fails, and the proxy accepts on it again', async () => {
    process.env.QUORUM_RELAY_FAULT = 'epoll:2';
    let relay;
    try {
      relay = createRelay('native', 1).relay;
    } finally {
      delete process.env.QUORUM_RELAY_FAULT;
    }
    const { server, port } = await listening();
    const accepted: Socket[] = [];
    const acceptor = RelayAcceptor.start(relay, server, 1000, {
      adopt: () => () => undefined,
      // what the proxy does with a client it accepts itself: here, answer it
      accept: (client) => {
        accepted.push(client);
        client.on('error', () => undefined);
        client.end('+PONG\r\n');
      },
      log: () => undefined,
    });
    expect(acceptor).not.toBeNull();
    try {
      // the first wait returns with this wake-up; the second fails, and the port comes back
      acceptor?.retarget(`127.0.0.1:${String(redis.port)}`);
      await waitFor('the proxy to accept again', 10_000, async () =>
        (await ping(port, 500)) === '+PONG\r\n' ? true : undefined,
      );
    } finally {
      relay.stop();
      for (const c of accepted) c.destroy();
      await acceptor?.close();
    }
  });

  it('hands a client back when its connect takes too long, or the target changes meanwhile', async () => {
    // a Redis that accepts nothing while it sleeps, with a backlog of one: once two connections
    // wait in its queue, the kernel drops every further SYN, so a connect stays in flight
    const sleeper = await startServer('redis-server', dir, await freePorts(1), [
      '--tcp-backlog',
      '1',
      '--enable-debug-command',
      'local',
    ]);
    const fillers: Socket[] = [];
    const { relay, port, told } = await acceptingRelay(300);
    own.relay = relay;
    try {
      const sleep = connect({ host: '127.0.0.1', port: sleeper.port });
      fillers.push(sleep);
      sleep.write('DEBUG SLEEP 4\r\n');
      await new Promise((resolve) => setTimeout(resolve, 200));
      for (let i = 0; i < 4; i++) fillers.push(connect({ host: '127.0.0.1', port: sleeper.port }));
      for (const f of fillers) f.on('error', () => undefined);
      await new Promise((resolve) => setTimeout(resolve, 200));
      relay.target(`127.0.0.1:${String(sleeper.port)}`);
      // past the 300 ms connect timeout: back to the proxy
      fillers.push(connect({ host: '127.0.0.1', port }));
      await waitFor('a slow connect handed back', 5000, () =>
        told.back.length === 1 ? true : undefined,
      );
      // a target change while it connects: back to the proxy at once, to go to the new one
      fillers.push(connect({ host: '127.0.0.1', port }));
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(told.back.length).toBe(1);
      relay.target(`127.0.0.1:${String(redis.port)}`);
      await waitFor('a queued client handed back', 5000, () =>
        told.back.length === 2 ? true : undefined,
      );
      expect(told.started).toEqual([]);
    } finally {
      for (const s of [...fillers, ...told.back]) s.destroy();
      relay.stop();
      await sleeper.stop();
    }
  });
});

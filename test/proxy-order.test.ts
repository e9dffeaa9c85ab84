import { spawn, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDeployment } from './helpers.js';
import { BIN, freePorts, startDeployment, waitFor } from './helpers.js';

/** Clients per round, each on a connection of its own. */
const CLIENTS = 8;
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

/** `quorum proxy` in front of the deployment's sentinels, with `threads` relay threads. */
function proxyProcess(sentinelPort: number, writePort: number, threads: number): ChildProcess {
  return spawn(
    process.execPath,
    [
      BIN,
      'proxy',
      '--sentinel',
      [0, 1, 2].map((i) => `127.0.0.1:${String(sentinelPort + i)}`).join(','),
      '--write-port',
      String(writePort),
      '--read-port',
      String(writePort + 1),
      '--relay-threads',
      String(threads),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
}

/**
 * Blocked pops are served first come, first served: whoever Redis saw block first gets the first
 * element. That makes the order in which the proxy delivered the clients' first bytes visible.
 */
describe("the proxy's write port keeps the order of a wire", () => {
  let deployment: TestDeployment;
  let master: Redis;
  let child: ChildProcess | null = null;
  const targets: Record<string, number> = {};

  beforeAll(async () => {
    deployment = await startDeployment('proxy-order', ['--no-dashboard']);
    expect(deployment.up.code, deployment.up.stderr).toBe(0);
    targets['up'] = Number(/^proxy: write \S+:(\d+) /m.exec(deployment.up.stdout)?.[1]);
    master = new Redis({ host: '127.0.0.1', port: deployment.port, maxRetriesPerRequest: 1 });
    // more relay threads than this machine has cores: sessions on several threads at once
    const port = await freePorts(2);
    child = proxyProcess(deployment.port + 50, port, 4);
    const started = child;
    await new Promise<void>((resolve, reject) => {
      started.stdout?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('writes go to')) resolve();
      });
      started.once('exit', (code) => reject(new Error(`quorum proxy exited (${String(code)})`)));
    });
    targets['4 threads'] = port;
  });

  afterAll(async () => {
    child?.kill('SIGTERM');
    master.disconnect();
    expect((await deployment.down()).code).toBe(0);
  });

  const blocked = async () =>
    Number(/blocked_clients:(\d+)/.exec(await master.info('clients'))?.[1] ?? NaN);

  it.each(['up', '4 threads'])(
    'delivers the first commands of new connections in the order they were sent (%s)',
    async (target) => {
      const port = targets[target] ?? 0;
      const misordered: string[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const key = `order:${target.replace(/ /g, '-')}:${String(round)}`;
        // as a client opening several connections does: each sends as soon as it is connected
        const clients = Array.from({ length: CLIENTS }, () => {
          const c = open(port);
          c.socket.write(`BLPOP ${key} 0\r\n`);
          return c;
        });
        try {
          await Promise.all(clients.map((c) => c.connected));
          await waitFor('every client blocked', 10_000, async () =>
            (await blocked()) === CLIENTS ? true : undefined,
          );
          await master.rpush(key, ...clients.map((_, i) => `e${String(i)}`));
          const got = await waitFor('every client served', 10_000, () => {
            const each = clients.map((c) => /\$\d+\r\n(e\d+)\r\n$/.exec(c.received())?.[1]);
            return each.every((e) => e !== undefined) ? each : undefined;
          });
          expect(await blocked()).toBe(0);
          if (got.some((e, i) => e !== `e${String(i)}`)) misordered.push(got.join(' '));
        } finally {
          for (const c of clients) c.socket.destroy();
        }
      }
      // the order Redis served them in (client i got e<n>: Redis saw it block n-th)
      expect(misordered).toEqual([]);
    },
  );
});

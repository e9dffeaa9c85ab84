/**
 * New sessions through a proxy: how soon a new connection's first command reaches Redis, and in
 * what order commands on new and established connections arrive. Against the same master
 * directly, through HAProxy (`quorum export haproxy --naive`) and through quorum's write port
 * (started by `quorum up`), in random order in every round. Writes the section "New sessions
 * through the proxy" of docs/benchmarks.md.
 *
 *   npx tsx bench/proxy-order.ts [--rounds 200]
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { percentile, writeSection } from './doc.js';
import { haproxyFacts, naiveHaproxy, quorum, sleep, upWithProxy } from './setup.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
};
const rounds = arg('--rounds', 200);
const dir = mkdtempSync(join(tmpdir(), 'quorum-bench-order-'));
const port = 18200;
const haproxyPort = 18280;

interface Raw {
  socket: Socket;
  received: () => string;
  connected: Promise<void>;
}
function open(target: number): Raw {
  const socket = connect({ host: '127.0.0.1', port: target, noDelay: true });
  let data = '';
  socket.on('data', (c: Buffer) => (data += c.toString('latin1')));
  socket.on('error', () => undefined);
  const connected = new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  return { socket, received: () => data, connected };
}
async function until<T>(what: string, f: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const end = Date.now() + 10_000;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(1);
  }
}

let master: Redis | undefined;
const blocked = async () =>
  Number(/blocked_clients:(\d+)/.exec((await master?.info('clients')) ?? '')?.[1]);

/** 8 new connections opened one after another (each connected before the next): order served. */
async function sequential(target: number, key: string): Promise<boolean> {
  const clients: Raw[] = [];
  try {
    for (let i = 0; i < 8; i++) {
      const c = open(target);
      clients.push(c);
      await c.connected;
      c.socket.write(`BLPOP ${key} 0\r\n`);
    }
    await until('8 blocked', async () => ((await blocked()) === 8 ? true : undefined));
    await master?.rpush(key, ...clients.map((_, i) => `e${String(i)}`));
    const got = await until('8 served', () => {
      const each = clients.map((c) => /\$\d+\r\n(e\d+)\r\n$/.exec(c.received())?.[1]);
      return each.every((e) => e !== undefined) ? each : undefined;
    });
    return got.every((e, i) => e === `e${String(i)}`);
  } finally {
    for (const c of clients) c.socket.destroy();
  }
}

/** A new connection sends a pop; right after, an established one pushes and pops back. */
async function overtaken(target: number, pusher: Raw, key: string): Promise<boolean> {
  const fresh = open(target);
  try {
    await fresh.connected;
    fresh.socket.write(`BLPOP ${key} 0\r\n`);
    const before = pusher.received().length;
    pusher.socket.write(`RPUSH ${key} x\r\nLPOP ${key}\r\n`);
    const reply = await until(
      'push and pop',
      () => /^:1\r\n(\$-1|\$1\r\nx)\r\n$/.exec(pusher.received().slice(before))?.[1],
    );
    return reply !== '$-1';
  } finally {
    fresh.socket.destroy();
  }
}

/**
 * A new connection's first command, from the client's write to Redis running it: µs. The client
 * pushes onto a list a direct connection to the master is blocked on; the watcher's wake-up
 * (the same path for every target) marks when Redis ran the push.
 */
async function firstCommand(target: number, key: string): Promise<number> {
  const watcher = new Redis({ port, lazyConnect: true });
  await watcher.connect();
  const popped = watcher.blpop(key, 0).then(() => process.hrtime.bigint());
  await until('watcher blocked', async () => ((await blocked()) === 1 ? true : undefined));
  const c = open(target);
  await c.connected;
  const t0 = process.hrtime.bigint();
  c.socket.write(`LPUSH ${key} x\r\n`);
  const t1 = await popped;
  c.socket.destroy();
  watcher.disconnect();
  return Number(t1 - t0) / 1000;
}

let haproxy: ChildProcess | null = null;
try {
  const proxyPort = upWithProxy(dir, port);
  haproxy = naiveHaproxy(dir, haproxyPort);
  master = new Redis({ port, lazyConnect: true });
  await master.connect();
  await sleep(3000);
  const targets: Record<string, number> = { direct: port, haproxy: haproxyPort, quorum: proxyPort };
  const pushers: Record<string, Raw> = {};
  for (const [name, t] of Object.entries(targets)) {
    pushers[name] = open(t);
    await pushers[name].connected;
  }
  const seqBad: Record<string, number> = {};
  const overBad: Record<string, number> = {};
  const lat: Record<string, number[]> = {};
  for (let r = 0; r < rounds; r++) {
    const names = Object.keys(targets).sort(() => Math.random() - 0.5);
    for (const name of names) {
      const t = targets[name] ?? 0;
      if (!(await sequential(t, `seq:${name}:${String(r)}`)))
        seqBad[name] = (seqBad[name] ?? 0) + 1;
      const p = pushers[name];
      if (p && (await overtaken(t, p, `over:${name}:${String(r)}`)))
        overBad[name] = (overBad[name] ?? 0) + 1;
      (lat[name] ??= []).push(await firstCommand(t, `first:${name}:${String(r)}`));
    }
    if (r % 20 === 19) process.stderr.write(`${String(r + 1)}/${String(rounds)}\n`);
  }
  const facts = haproxyFacts(haproxy.pid);
  const row = (name: string, label: string) => {
    const l = lat[name] ?? [];
    return `| ${label} | ${percentile(l, 50).toFixed(0)} | ${percentile(l, 99).toFixed(0)} | ${String(seqBad[name] ?? 0)}/${String(rounds)} | ${String(overBad[name] ?? 0)}/${String(rounds)} |`;
  };
  writeSection(
    'New sessions through the proxy',
    `## New sessions through the proxy

A new connection's first command, and the order of commands on new connections, against the master directly, through ${facts} (\`quorum export haproxy --naive\`) and through quorum's write port (started by \`quorum up\`; its relay thread accepts and connects each client to the master itself). The three alternate in random order in each of ${String(rounds)} rounds.

- **first command**: a client connects, and once connected sends \`LPUSH k x\`; a direct connection to the master blocked in \`BLPOP k\` marks when Redis ran it. From the client's write to the watcher's wake-up, µs (the watcher's path is the same for all three).
- **sequential order**: 8 clients connect one after another, each sending \`BLPOP k 0\` once connected; Redis serves blocked clients first come, first served, so pushing 8 elements shows the order Redis saw. A round counts when any client is out of the order it connected in.
- **overtaken**: a new client connects and sends \`BLPOP k 0\`; right after, a client already connected sends \`RPUSH k x\` and \`LPOP k\`. A round counts when the later push and pop reached Redis before the new client's pop (the pop came back with the element).

\`\`\`sh
npx tsx bench/proxy-order.ts --rounds ${String(rounds)}   # ${new Date().toISOString().slice(0, 10)}, 2 cores, loopback
\`\`\`

| target | first command p50 µs | p99 µs | sequential order: misordered rounds | overtaken rounds |
| ------ | -------------------- | ------ | ----------------------------------- | ---------------- |
${row('direct', 'direct')}
${row('haproxy', 'HAProxy')}
${row('quorum', 'quorum write port')}

No proxy is a wire across connections: a command on a connection still being set up can be overtaken by one sent later on a connection already open, through HAProxy as through quorum (directly too, less often). quorum's relay thread reads a new client only once its own connection to the master is up and every client accepted before it is served (the sequential column), which lets a command on an open connection pass in the meantime more often than through HAProxy (the overtaken column), though a new client's first command reaches Redis no later (the first column). Before the relay thread accepted on the write port itself, Node's event loop accepted and connected each client and handed it over: in the same bench (60 rounds, 2026-12-07) quorum's first command took 777 µs at p50 against HAProxy's 304, and was overtaken in 57 of 60 rounds against HAProxy's 39.
`,
  );
  for (const p of Object.values(pushers)) p.socket.destroy();
} finally {
  haproxy?.kill('SIGTERM');
  master?.disconnect();
  try {
    quorum(['down', '--dir', dir]);
  } catch {
    /* reported by down */
  }
  rmSync(dir, { recursive: true, force: true });
}

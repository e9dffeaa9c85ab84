import { OPEN_ACCESS } from '../src/redis/index.js';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ObserveTarget } from '../src/observer/index.js';
import { sleep } from './setup.js';

/** The data nodes' ports start here; the sentinels' at SENTINEL_BASE. */
const BASE = 17_100;
const SENTINEL_BASE = 17_300;
const SENTINELS = 3;
/** Each Sentinel deployment: one master and two replicas. */
export const GROUP = 3;
const READY_TIMEOUT_MS = 30_000;

/** What the observer watches: the nodes alone, or Sentinel deployments with their sentinels. */
export type Mode = 'standalone' | 'sentinel';

export const nodeAddrs = (nodes: number) =>
  Array.from({ length: nodes }, (_, i) => `127.0.0.1:${String(BASE + i)}`);
export const sentinelAddrs = () =>
  Array.from({ length: SENTINELS }, (_, i) => `127.0.0.1:${String(SENTINEL_BASE + i)}`);
const portOf = (addr: string) => addr.split(':')[1] ?? '';

/**
 * What quorum observes in each mode: one target holding every node, with no sentinels; or one
 * target per deployment (`m0`, `m1`, ...: a master, its two replicas and the three sentinels
 * that monitor every deployment), as `quorum` watching several Sentinel deployments has.
 */
export function targetsOf(mode: Mode, nodes: number): ObserveTarget[] {
  const addrs = nodeAddrs(nodes);
  const common = {
    access: OPEN_ACCESS,
    sentinelAccess: { ...OPEN_ACCESS, of: 'sentinel' },
  } as const;
  if (mode === 'standalone')
    return [
      {
        kind: 'sentinel',
        name: 'bench',
        masterName: 'bench',
        sentinels: [],
        nodes: addrs,
        ...common,
      },
    ];
  return Array.from({ length: nodes / GROUP }, (_, g) => ({
    kind: 'sentinel',
    name: `m${String(g)}`,
    masterName: `m${String(g)}`,
    sentinels: sentinelAddrs(),
    nodes: addrs.slice(g * GROUP, (g + 1) * GROUP),
    ...common,
  }));
}

function redisCli(addr: string, ...args: string[]): string {
  const run = spawnSync('redis-cli', ['-p', portOf(addr), ...args], {
    encoding: 'utf8',
    timeout: 2000,
  });
  return run.stdout;
}

/** Waits until `ready()` holds, checking every 100 ms; throws `what` after READY_TIMEOUT_MS. */
async function until(ready: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`${what} within ${String(READY_TIMEOUT_MS)} ms`);
    await sleep(100);
  }
}

/** The bench's redis-server and redis-sentinel processes, all in `dir`. */
export class Fleet {
  private readonly children: ChildProcess[] = [];

  constructor(
    private readonly dir: string,
    private readonly nodes: number,
  ) {}

  /** Starts every node as a standalone master with a few keys in db0 and db1. */
  async startNodes(): Promise<void> {
    for (const [i, addr] of nodeAddrs(this.nodes).entries()) {
      const data = join(this.dir, String(i));
      mkdirSync(data, { recursive: true });
      this.spawn('redis-server', [
        '--port',
        portOf(addr),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        data,
      ]);
    }
    for (const addr of nodeAddrs(this.nodes)) {
      await until(() => redisCli(addr, 'ping').trim() === 'PONG', `${addr} did not answer`);
      redisCli(addr, 'mset', 'a', '1', 'b', '2', 'c', '3');
      redisCli(addr, '-n', '1', 'set', 'd', '4');
    }
  }

  /** Makes each group of three a master and two replicas, and starts three sentinels on them all. */
  async startSentinels(): Promise<void> {
    const addrs = nodeAddrs(this.nodes);
    const masters = addrs.filter((_, i) => i % GROUP === 0);
    for (const [i, addr] of addrs.entries()) {
      if (i % GROUP !== 0)
        redisCli(addr, 'replicaof', '127.0.0.1', portOf(masters[Math.floor(i / GROUP)] ?? ''));
    }
    for (const master of masters)
      await until(
        () => /connected_slaves:2/.test(redisCli(master, 'info', 'replication')),
        `${master} did not get its two replicas`,
      );
    for (const sentinel of sentinelAddrs()) {
      const conf = join(this.dir, `sentinel-${portOf(sentinel)}.conf`);
      writeFileSync(
        conf,
        [
          `port ${portOf(sentinel)}`,
          'bind 127.0.0.1',
          `dir ${this.dir}`,
          ...masters.flatMap((m, g) => [
            `sentinel monitor m${String(g)} 127.0.0.1 ${portOf(m)} 2`,
            `sentinel down-after-milliseconds m${String(g)} 5000`,
          ]),
          '',
        ].join('\n'),
      );
      this.spawn('redis-sentinel', [conf]);
    }
    // each sentinel knows every replica and the other two sentinels of every deployment
    for (const sentinel of sentinelAddrs())
      await until(() => {
        const masters = redisCli(sentinel, 'sentinel', 'masters').split('\n');
        const field = (name: string) =>
          masters.flatMap((line, i) => (line === name ? [masters[i + 1] ?? ''] : []));
        const replicas = field('num-slaves');
        const others = field('num-other-sentinels');
        return (
          replicas.length === this.nodes / GROUP &&
          replicas.every((n) => n === '2') &&
          others.every((n) => n === String(SENTINELS - 1))
        );
      }, `${sentinel} did not see every deployment's replicas and sentinels`);
  }

  stop(): void {
    for (const child of this.children) child.kill('SIGKILL');
  }

  private spawn(command: string, args: string[]): void {
    this.children.push(spawn(command, args, { stdio: 'ignore' }));
  }
}

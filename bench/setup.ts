import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';

const root = new URL('..', import.meta.url).pathname;

/** The CLI's launcher. */
export const BIN = join(root, 'bin/quorum');

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs the real CLI and returns what it printed. */
export function quorum(args: string[]): string {
  return execFileSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
}

/**
 * The sentence a failed `quorum(...)` call printed (its last line on stderr, without the
 * `quorum: ` prefix), else the error's first line.
 */
export function quorumError(err: unknown): string {
  const stderr =
    err instanceof Error && 'stderr' in err && typeof err.stderr === 'string' ? err.stderr : '';
  const said = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .at(-1);
  if (said !== undefined) return said.replace(/^quorum: /, '');
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
}

/**
 * `quorum up --detach` without a dashboard in `dir`, data ports from `port`, sentinels from
 * `port + 100`; returns the proxy's write port it printed.
 */
export function upWithProxy(dir: string, port: number, extra: string[] = []): number {
  const up = quorum([
    'up',
    '--detach',
    '--no-dashboard',
    '--dir',
    dir,
    '--port',
    String(port),
    '--sentinel-port',
    String(port + 100),
    ...extra,
  ]);
  const proxyPort = Number(/^proxy: write \S+:(\d+) /m.exec(up)?.[1]);
  if (!Number.isInteger(proxyPort)) throw new Error(`no proxy line in:\n${up}`);
  return proxyPort;
}

/**
 * The HAProxy configs the benches compare: `naive` is the usual Sentinel config
 * (`quorum export haproxy --naive`: role:master, `check inter 1s`, rise 2); `tuned` is the same
 * with fast checks (`inter 100ms fastinter 100ms rise 1`) and `on-marked-down shutdown-sessions`
 * on the write side; `hardened` is `quorum export haproxy`'s default (a node gets writes only
 * when it says master and a quorum of sentinels name it).
 */
export type HaproxyForm = 'naive' | 'tuned' | 'hardened';

/** HAProxy with config `form` writing on `port` (reads on `port + 1`). */
export function startHaproxy(dir: string, port: number, form: HaproxyForm): ChildProcess {
  const config = join(dir, `haproxy-${form}.cfg`);
  quorum([
    'export',
    'haproxy',
    ...(form === 'hardened' ? [] : ['--naive']),
    '--dir',
    dir,
    '--bind',
    '127.0.0.1',
    '--write-port',
    String(port),
    '--read-port',
    String(port + 1),
    '-o',
    config,
  ]);
  if (form === 'tuned') {
    const naive = readFileSync(config, 'utf8');
    // the write backend's server lines are the only ones that end in `check inter 1s`
    const tuned = naive.replace(
      / check inter 1s$/gm,
      ' check inter 100ms fastinter 100ms rise 1 on-marked-down shutdown-sessions',
    );
    if (tuned === naive) throw new Error(`no write-side server line to tune in ${config}`);
    writeFileSync(config, tuned);
  }
  return spawn('haproxy', ['-f', config, '-db'], { stdio: 'ignore' });
}

/** HAProxy with the usual Sentinel config (`quorum export haproxy --naive`) writing on `port`. */
export function naiveHaproxy(dir: string, port: number): ChildProcess {
  return startHaproxy(dir, port, 'naive');
}

/**
 * What the running HAProxy is: its version from `haproxy -v`, its thread count from
 * /proc/PID/status of the process itself (`nbthread` defaults to the CPUs it may use).
 */
export function haproxyFacts(pid: number | undefined): string {
  const version = /HAProxy version (\S+)/.exec(
    execFileSync('haproxy', ['-v'], { encoding: 'utf8' }),
  )?.[1];
  if (version === undefined) throw new Error('haproxy -v printed no version');
  if (pid === undefined) throw new Error('HAProxy did not start');
  const threads = /^Threads:\s+(\d+)$/m.exec(
    readFileSync(`/proc/${String(pid)}/status`, 'utf8'),
  )?.[1];
  if (threads === undefined) throw new Error(`no thread count for HAProxy (pid ${String(pid)})`);
  return `HAProxy ${version}, ${threads} thread${threads === '1' ? '' : 's'}`;
}

/** `quorum proxy --relay js` in front of the deployment's sentinels; resolves once it listens. */
export function jsProxy(sentinelPort: number, writePort: number): Promise<ChildProcess> {
  const child = spawn(
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
      '--relay',
      'js',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('proxy: write')) resolve(child);
    });
    child.once('exit', (code) =>
      reject(new Error(`quorum proxy --relay js exited (${String(code)})`)),
    );
  });
}

/**
 * Waits until sentinel `admin` lists `count` replicas of `mymaster` not flagged down, each of
 * which says itself (INFO, not the sentinel's view, which it refreshes only every 10 s) that its
 * link to the master is up; so the next failover starts from synced replicas. Throws after
 * `timeoutMs`.
 */
export async function replicasReady(
  admin: Redis,
  count: number,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const replicas = (await admin.call('SENTINEL', 'REPLICAS', 'mymaster')) as string[][];
    const listed = replicas.filter((r) => !(r[r.indexOf('flags') + 1] ?? '').includes('down'));
    const linked = listed.filter((r) => {
      const info = execFileSync(
        'redis-cli',
        ['-p', r[r.indexOf('port') + 1] ?? '', 'info', 'replication'],
        {
          encoding: 'utf8',
          timeout: 2000,
        },
      );
      return /master_link_status:up/.test(info);
    });
    if (linked.length >= count) return;
    if (Date.now() > deadline)
      throw new Error(
        `only ${String(linked.length)} of ${String(count)} replicas linked after ${String(timeoutMs)} ms`,
      );
    await sleep(200);
  }
}

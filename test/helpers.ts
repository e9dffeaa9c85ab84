import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { inject } from 'vitest';
import type { Shard, Topology } from '../src/model/index.js';
import { agreedMaster, sentinelsOf } from '../src/model/index.js';
import { passwordAccess, RedisLink } from '../src/redis/index.js';

export const BIN = resolve('bin/quorum');

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs the real CLI; a run that outlives `timeoutMs` is killed and fails the test. */
export function quorum(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `quorum ${args.join(' ')} did not finish within ${options.timeoutMs ?? 60_000} ms\n${stdout}\n${stderr}`,
        ),
      );
    }, options.timeoutMs ?? 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** A fresh directory under this run's test root (checked for leftover processes at the end). */
export function tempDir(name: string): string {
  return mkdtempSync(join(inject('testRoot'), `${name}-`));
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const server = createServer();
    server.once('error', () => resolvePromise(false));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () =>
      server.close(() => resolvePromise(true)),
    );
  });
}

/**
 * A block of `count` free consecutive ports below the ephemeral range, spread by worker so test
 * files running in parallel do not pick the same ones.
 */
export async function freePorts(count: number): Promise<number> {
  const worker = Number(process.env.VITEST_POOL_ID ?? '1');
  for (let attempt = 0; attempt < 200; attempt++) {
    const base = 12_000 + (worker % 4) * 4000 + Math.floor(Math.random() * 3900);
    let ok = true;
    for (let p = base; p < base + count && ok; p++) ok = await portFree(p);
    if (ok) return base;
  }
  throw new Error('no block of free ports found');
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `check` until it returns a value (not undefined) or the deadline passes. */
export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T | undefined> | T | undefined,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

/** A real redis-server or redis-sentinel started by a test, with its args on the command line. */
export interface TestServer {
  port: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

export async function startServer(
  kind: 'redis-server' | 'redis-sentinel',
  dir: string,
  port: number,
  args: string[],
  password: string | null = null,
): Promise<TestServer> {
  const configArgs = kind === 'redis-sentinel' ? [join(dir, `sentinel-${port}.conf`)] : [];
  if (kind === 'redis-sentinel') {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(configArgs[0] ?? '', '');
  }
  const child = spawn(
    kind,
    [
      ...configArgs,
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      ...args,
    ],
    {
      cwd: dir,
      stdio: 'ignore',
    },
  );
  const link = new RedisLink(`127.0.0.1:${port}`, {
    timeoutMs: 500,
    access: passwordAccess(kind === 'redis-sentinel' ? 'sentinel' : 'node', password),
    connectionName: 'test',
  });
  try {
    await waitFor(`${kind} on ${port}`, 10_000, async () =>
      (await link.call('PING').catch(() => undefined)) === 'PONG' ? true : undefined,
    );
  } finally {
    await link.close();
  }
  return {
    port,
    child,
    stop: () =>
      new Promise((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGCONT');
        child.kill('SIGKILL');
      }),
  };
}

/** A local deployment a test started with `up --detach` on free ports; `down` stops it. */
export interface TestDeployment {
  dir: string;
  /** First data port; sentinels start at `port + 50`. */
  port: number;
  up: RunResult;
  down: () => Promise<RunResult>;
}

/**
 * Starts a deployment on free ports in a fresh dir, with any further `up` flags.
 *
 * Its sentinels use a 10 s failover-timeout unless `flags` name another: when an election is lost
 * (all three sentinels ask for votes at once and each votes for itself, likelier on a starved
 * machine), Sentinel tries again after twice that, 20 s rather than the 2 min of up's default.
 */
export async function startDeployment(name: string, flags: string[] = []): Promise<TestDeployment> {
  const dir = tempDir(name);
  const port = await freePorts(60);
  const up = await quorum([
    'up',
    '--detach',
    '--dir',
    dir,
    '--port',
    String(port),
    '--sentinel-port',
    String(port + 50),
    '--failover-timeout',
    '10000',
    ...flags,
  ]);
  return { dir, port, up, down: () => quorum(['down', '--dir', dir]) };
}

/** The lines of a local deployment's sentinel logs that tell a failover's story. */
const FAILOVER_LINE =
  /[+-](sdown master|odown|try-failover|vote-for-leader|elected-leader|failover-abort|selected-slave|failover-end|switch-master)|voted for|Next failover delay/;

/**
 * What each sentinel of the deployment in `dir` logged about failovers (its last `count` such
 * lines), for a failure message: a test that waited in vain for a new master then says whether
 * Sentinel saw the master down, held an election, lost it, or found no replica to promote.
 */
function sentinelStory(dir: string, count = 8): string {
  const parts: string[] = [];
  for (let i = 1; existsSync(join(dir, `sentinel-${i}`)); i++) {
    let lines: string[] = [];
    try {
      lines = readFileSync(join(dir, `sentinel-${i}`, 'sentinel.log'), 'utf8')
        .split('\n')
        .filter((line) => FAILOVER_LINE.test(line))
        .slice(-count)
        .map((line) =>
          line
            .replace(/^\d+:X \d+ \w+ \d+ (\S+) [#*] /, '$1 ')
            .replace(/\b([0-9a-f]{8})[0-9a-f]{32}\b/g, '$1'),
        );
    } catch (err) {
      lines = [`(no log: ${err instanceof Error ? err.message : String(err)})`];
    }
    parts.push(`sentinel-${i}: ${lines.join('; ')}`);
  }
  return parts.join(' / ');
}

/** An observer's latest view in one line: the agreed master and what each sentinel names. */
export function viewGist(t: Topology | null | undefined): string {
  if (!t) return 'no observation yet';
  const views = sentinelsOf(t).map(
    (v) =>
      `${v.addr} ${v.up ? 'names' : 'down'} ${v.masterAddr ?? '-'} [${v.masterFlags.join(',')}]`,
  );
  const age = Date.now() - t.observedAtMs;
  return `agreement: ${agreedMaster(t) ?? 'none'} (observed ${age} ms ago); sentinels: ${views.join('; ')}`;
}

/**
 * Runs `wait`; when it fails, its error also carries the sentinels' story of the deployment in
 * `dir` and whatever `context` adds (an observer's view, say).
 */
export async function explainFailover<T>(
  dir: string,
  wait: () => Promise<T>,
  context: () => string = () => '',
): Promise<T> {
  try {
    return await wait();
  } catch (err) {
    const extra = context();
    throw new Error(
      `${err instanceof Error ? err.message : String(err)}${extra === '' ? '' : `\n${extra}`}\nwhat the sentinels logged: ${sentinelStory(dir)}`,
      { cause: err },
    );
  }
}

/** A block of `count` free ports whose cluster bus ports (port + 10000) are free as well. */
export async function clusterPorts(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = await freePorts(count);
    let busFree = base + 10_000 + count < 65_535;
    for (let p = base + 10_000; p < base + 10_000 + count && busFree; p++)
      busFree = await portFree(p);
    if (busFree) return base;
  }
  throw new Error('no block of free ports (and bus ports) found');
}

/** Starts a Redis Cluster (`up --mode cluster --detach`) on free ports (bus ports are +10000). */
export async function startCluster(name: string, flags: string[] = []): Promise<TestDeployment> {
  const dir = tempDir(name);
  const port = await clusterPorts(20);
  const up = await quorum(
    [
      'up',
      '--mode',
      'cluster',
      '--detach',
      '--no-dashboard',
      '--dir',
      dir,
      '--port',
      String(port),
      ...flags,
    ],
    { timeoutMs: 90_000 },
  );
  return { dir, port, up, down: () => quorum(['down', '--dir', dir]) };
}

/** The master the sentinels agree on in an observation, if there is one. */
export function masterOf(t: Topology | null | undefined): string | null {
  return t ? agreedMaster(t) : null;
}

/** A cluster's shards in an observation; none for a Sentinel deployment or no observation. */
export function clusterShards(t: Topology | null | undefined): Shard[] {
  return t?.kind === 'cluster' ? t.cluster.shards : [];
}

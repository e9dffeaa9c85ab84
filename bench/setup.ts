import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

/** The CLI's launcher. */
export const BIN = join(root, 'bin/quorum');

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs the real CLI and returns what it printed. */
export function quorum(args: string[]): string {
  return execFileSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
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

/** HAProxy with the usual Sentinel config (`quorum export haproxy --naive`) writing on `port`. */
export function naiveHaproxy(dir: string, port: number): ChildProcess {
  const config = join(dir, 'haproxy.cfg');
  quorum([
    'export',
    'haproxy',
    '--naive',
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
  return spawn('haproxy', ['-f', config, '-db'], { stdio: 'ignore' });
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

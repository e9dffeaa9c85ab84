/**
 * Memory per idle connection: opens N connections through quorum's write port (each does one
 * PING, then stays idle) and reads the resident memory of the process running the proxy (the
 * supervisor) before and after.
 *
 *   npx tsx bench/proxy-idle.ts [--connections 5000]
 *
 * Writes the result into docs/benchmarks.md (section "Proxy memory per idle connection").
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSection } from './doc.js';
import { quorum, sleep, upWithProxy } from './setup.js';

const count = Number(process.argv[process.argv.indexOf('--connections') + 1] || 5000);
const dir = mkdtempSync(join(tmpdir(), 'quorum-bench-idle-'));
const port = 18000;

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${String(pid)}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) * 1024;
}

function ping(proxyPort: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port: proxyPort });
    s.once('error', reject);
    s.once('connect', () => s.write('PING\r\n'));
    s.once('data', () => resolve(s));
  });
}

async function main(): Promise<void> {
  const proxyPort = upWithProxy(dir, port);
  const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as {
    supervisor: { pid: number };
  };
  const pid = state.supervisor.pid;
  const sockets: Socket[] = [];
  let before = 0;
  let after = 0;
  try {
    await sleep(2000);
    before = rssOf(pid);
    for (let i = 0; i < count; i += 100) {
      sockets.push(
        ...(await Promise.all(
          Array.from({ length: Math.min(100, count - i) }, () => ping(proxyPort)),
        )),
      );
    }
    await sleep(3000);
    after = rssOf(pid);
  } finally {
    for (const s of sockets) s.destroy();
    quorum(['down', '--dir', dir, '--purge']);
    rmSync(dir, { recursive: true, force: true });
  }
  const per = (after - before) / count;
  writeSection(
    'Proxy memory per idle connection',
    [
      '## Proxy memory per idle connection',
      '',
      `${String(count)} clients connect through quorum's write port, send one PING each and stay idle; the resident memory of the supervisor (which runs the proxy) before and after. Each client also holds one connection to the master; Redis's own cost per client is not counted here.`,
      '',
      '```sh',
      `npx tsx bench/proxy-idle.ts --connections ${String(count)}   # ${new Date().toISOString().slice(0, 10)}, 2 cores, loopback`,
      '```',
      '',
      `| connections | RSS before | RSS after | per connection |`,
      '| --- | --- | --- | --- |',
      `| ${String(count)} | ${(before / 1048576).toFixed(1)} MiB | ${(after / 1048576).toFixed(1)} MiB | ${(per / 1024).toFixed(1)} KiB |`,
      '',
    ].join('\n'),
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});

/**
 * Memory per idle connection: opens N connections through a proxy (each does one PING, then
 * stays idle) and reads the resident memory of the proxy's process before and after. Three
 * proxies in front of the same deployment, one after the other: quorum's write port (started by
 * `quorum up`, in the supervisor's process, compiled relay), `quorum proxy --relay js`, and
 * HAProxy with the usual Sentinel config.
 *
 *   npx tsx bench/proxy-idle.ts [--connections 3000]
 *
 * (HAProxy's exported config allows 4000 connections, so the default stays below that.)
 * Writes the result into docs/benchmarks.md (section "Proxy memory per idle connection").
 */
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSection } from './doc.js';
import { jsProxy, naiveHaproxy, quorum, sleep, upWithProxy } from './setup.js';

const count = Number(process.argv[process.argv.indexOf('--connections') + 1] || 3000);
const dir = mkdtempSync(join(tmpdir(), 'quorum-bench-idle-'));
const port = 18000;
const haproxyPort = 18080;
const jsPort = 18090;

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

interface Row {
  name: string;
  before: number;
  after: number;
}

/** RSS of `pid` before and after `count` idle clients went through `proxyPort`. */
async function measure(name: string, proxyPort: number, pid: number): Promise<Row> {
  const sockets: Socket[] = [];
  try {
    await sleep(2000);
    const before = rssOf(pid);
    for (let i = 0; i < count; i += 100) {
      sockets.push(
        ...(await Promise.all(
          Array.from({ length: Math.min(100, count - i) }, () => ping(proxyPort)),
        )),
      );
    }
    await sleep(3000);
    const after = rssOf(pid);
    process.stdout.write(
      `${name}: ${((after - before) / count / 1024).toFixed(1)} KiB per connection\n`,
    );
    return { name, before, after };
  } finally {
    for (const s of sockets) s.destroy();
    await sleep(1000);
  }
}

async function main(): Promise<void> {
  const proxyPort = upWithProxy(dir, port);
  const haproxy = naiveHaproxy(dir, haproxyPort);
  const js = await jsProxy(port + 100, jsPort);
  const rows: Row[] = [];
  try {
    const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as {
      supervisor: { pid: number };
    };
    rows.push(
      await measure("quorum's write port (compiled relay)", proxyPort, state.supervisor.pid),
    );
    rows.push(await measure('quorum proxy --relay js', jsPort, js.pid ?? 0));
    rows.push(await measure('HAProxy 2.6', haproxyPort, haproxy.pid ?? 0));
  } finally {
    js.kill('SIGTERM');
    haproxy.kill('SIGTERM');
    quorum(['down', '--dir', dir, '--purge']);
    rmSync(dir, { recursive: true, force: true });
  }
  const per = (r: Row) => (r.after - r.before) / count / 1024;
  const haproxyPer = per(rows[2] ?? { name: '', before: 0, after: 0 });
  writeSection(
    'Proxy memory per idle connection',
    [
      '## Proxy memory per idle connection',
      '',
      `${String(count)} clients connect through a proxy, send one PING each and stay idle; the resident memory of the proxy's process before and after (for quorum's write port that is the supervisor, which runs the proxy). Each client also holds one connection to the master; Redis's own cost per client and the kernel's socket buffers are not counted. The three proxies are measured one after the other in front of the same deployment.`,
      '',
      '```sh',
      `npx tsx bench/proxy-idle.ts --connections ${String(count)}   # ${new Date().toISOString().slice(0, 10)}, 2 cores, loopback`,
      '```',
      '',
      '| proxy | RSS before | RSS after | per connection | ratio to HAProxy |',
      '| --- | --- | --- | --- | --- |',
      ...rows.map(
        (r) =>
          `| ${r.name} | ${(r.before / 1048576).toFixed(1)} MiB | ${(r.after / 1048576).toFixed(1)} MiB | ${per(r).toFixed(1)} KiB | ${(per(r) / haproxyPer).toFixed(2)} |`,
      ),
      '',
      'With the compiled relay a session holds no buffer while idle: what it costs is its two descriptors and a small record in the relay; what a session waits to send is bounded by one 64 KiB read per direction.',
      '',
    ].join('\n'),
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});

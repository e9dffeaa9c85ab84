/**
 * Memory per idle connection: opens N connections through a proxy (each does one PING, then
 * stays idle) and reads the resident memory of the proxy's process before and after. Three
 * proxies in front of the same deployment: quorum's write port (started by `quorum up`, in the
 * supervisor's process, compiled relay), `quorum proxy --relay js`, and HAProxy with the usual
 * Sentinel config; each measured `--samples` times (at least 3), the order reversed every sample.
 *
 *   npx tsx bench/proxy-idle.ts [--connections 3000] [--samples 3]
 *
 * (HAProxy's exported config allows 4000 connections, so the default stays below that.)
 * Writes the result into docs/benchmarks.md (section "Proxy memory per idle connection").
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { percentile, writeSection } from './doc.js';
import { haproxyFacts, jsProxy, naiveHaproxy, quorum, sleep, upWithProxy } from './setup.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
};
const count = arg('--connections', 3000);
const samples = arg('--samples', 3);
if (!Number.isInteger(count) || count < 1 || !Number.isInteger(samples) || samples < 3) {
  process.stderr.write('--connections must be a positive integer and --samples at least 3.\n');
  process.exit(2);
}
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

interface Sample {
  before: number;
  after: number;
}

interface Proxy {
  name: string;
  samples: Sample[];
}

/** RSS of `pid` before and after `count` idle clients went through `proxyPort`. */
async function measure(name: string, proxyPort: number, pid: number): Promise<Sample> {
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
      `  ${name}: ${((after - before) / count / 1024).toFixed(1)} KiB per connection\n`,
    );
    return { before, after };
  } finally {
    for (const s of sockets) s.destroy();
    await sleep(1000);
  }
}

const perConnection = (s: Sample) => (s.after - s.before) / count / 1024;
const median = (values: number[]) => percentile(values, 50);

const NAMES = [
  "quorum's write port (compiled relay)",
  'quorum proxy --relay js',
  'HAProxy',
] as const;

/**
 * One sample: a fresh deployment with the three proxies in front of it, each measured once in
 * `order`, all stopped after. Fresh processes, so no sample reuses memory an earlier one left.
 */
async function sampleOnce(order: number[]): Promise<{ facts: string; samples: Sample[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'quorum-bench-idle-'));
  const proxyPort = upWithProxy(dir, port);
  const haproxy = naiveHaproxy(dir, haproxyPort);
  let js: ChildProcess | null = null;
  try {
    js = await jsProxy(port + 100, jsPort);
    const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as {
      supervisor: { pid: number };
    };
    const facts = haproxyFacts(haproxy.pid);
    const targets = [
      { port: proxyPort, pid: state.supervisor.pid },
      { port: jsPort, pid: js.pid ?? 0 },
      { port: haproxyPort, pid: haproxy.pid ?? 0 },
    ];
    const samples: Sample[] = [];
    for (const i of order) {
      const target = targets[i] ?? { port: 0, pid: 0 };
      samples[i] = await measure(NAMES[i] ?? '', target.port, target.pid);
    }
    return { facts, samples };
  } finally {
    js?.kill('SIGTERM');
    haproxy.kill('SIGTERM');
    quorum(['down', '--dir', dir, '--purge']);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  let facts = '';
  const proxies: Proxy[] = NAMES.map((name) => ({ name, samples: [] }));
  for (let sample = 0; sample < samples; sample++) {
    // reversed every sample: none is always measured first
    const order = sample % 2 === 0 ? [0, 1, 2] : [2, 1, 0];
    process.stdout.write(`sample ${String(sample + 1)}/${String(samples)}\n`);
    const result = await sampleOnce(order);
    facts = result.facts;
    for (const [i, p] of proxies.entries()) {
      const s = result.samples[i];
      if (s) p.samples.push(s);
    }
  }
  const last = proxies[2];
  if (last) last.name = facts;
  const haproxyPer = median(proxies[2]?.samples.map(perConnection) ?? []);
  const mib = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MiB`;
  writeSection(
    'Proxy memory per idle connection',
    [
      '## Proxy memory per idle connection',
      '',
      `${String(count)} clients connect through a proxy, send one PING each and stay idle; the resident memory (VmRSS in /proc) of the proxy's process before they connect and 3 s after the last one did (for quorum's write port that is the supervisor, which runs the proxy). Each client also holds one connection to the master; Redis's own cost per client and the kernel's socket buffers are not counted. ${String(samples)} samples: each on a fresh deployment with the three proxies freshly started side by side in front of it (so no sample reuses memory an earlier one left), the proxies measured one at a time, the order reversed every sample; the table gives the medians and, in brackets, the range of the per-connection figure. HAProxy runs the usual Sentinel config (\`quorum export haproxy --naive\`); its version and threads are read from \`haproxy -v\` and the running process.`,
      '',
      '```sh',
      `npx tsx bench/proxy-idle.ts --connections ${String(count)} --samples ${String(samples)}   # ${new Date().toISOString().slice(0, 10)}, 2 cores, loopback`,
      '```',
      '',
      '| proxy | RSS before | RSS after | per connection [range] | ratio to HAProxy |',
      '| --- | --- | --- | --- | --- |',
      ...proxies.map((p) => {
        const per = p.samples.map(perConnection);
        return `| ${p.name} | ${mib(median(p.samples.map((s) => s.before)))} | ${mib(median(p.samples.map((s) => s.after)))} | ${median(per).toFixed(1)} KiB [${Math.min(...per).toFixed(1)}–${Math.max(...per).toFixed(1)}] | ${(median(per) / haproxyPer).toFixed(2)} |`;
      }),
      '',
      ...proxies.slice(0, 2).map((p) => {
        const ratio = median(p.samples.map(perConnection)) / haproxyPer;
        return ratio > 1
          ? `${p.name} holds ${ratio.toFixed(1)}x HAProxy's memory per idle connection (medians): HAProxy wins here.`
          : `${p.name} holds ${ratio.toFixed(2)}x HAProxy's memory per idle connection (medians).`;
      }),
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

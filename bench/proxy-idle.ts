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

interface Sample {
  before: number;
  after: number;
}

interface Proxy {
  name: string;
  port: number;
  pid: number;
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
      `${name}: ${((after - before) / count / 1024).toFixed(1)} KiB per connection\n`,
    );
    return { before, after };
  } finally {
    for (const s of sockets) s.destroy();
    await sleep(1000);
  }
}

const perConnection = (s: Sample) => (s.after - s.before) / count / 1024;
const median = (values: number[]) => percentile(values, 50);

async function main(): Promise<void> {
  const proxyPort = upWithProxy(dir, port);
  const haproxy = naiveHaproxy(dir, haproxyPort);
  const js = await jsProxy(port + 100, jsPort);
  let facts = '';
  let proxies: Proxy[] = [];
  try {
    const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as {
      supervisor: { pid: number };
    };
    await sleep(2000);
    facts = haproxyFacts(haproxy.pid);
    proxies = [
      {
        name: "quorum's write port (compiled relay)",
        port: proxyPort,
        pid: state.supervisor.pid,
        samples: [],
      },
      { name: 'quorum proxy --relay js', port: jsPort, pid: js.pid ?? 0, samples: [] },
      { name: facts, port: haproxyPort, pid: haproxy.pid ?? 0, samples: [] },
    ];
    for (let sample = 0; sample < samples; sample++) {
      // reversed every sample: none is always first, on a process that has just settled
      const order = sample % 2 === 0 ? proxies : [...proxies].reverse();
      for (const p of order) {
        process.stdout.write(`sample ${String(sample + 1)}/${String(samples)} `);
        p.samples.push(await measure(p.name, p.port, p.pid));
      }
    }
  } finally {
    js.kill('SIGTERM');
    haproxy.kill('SIGTERM');
    quorum(['down', '--dir', dir, '--purge']);
    rmSync(dir, { recursive: true, force: true });
  }
  const haproxyPer = median(proxies[2]?.samples.map(perConnection) ?? []);
  const mib = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MiB`;
  writeSection(
    'Proxy memory per idle connection',
    [
      '## Proxy memory per idle connection',
      '',
      `${String(count)} clients connect through a proxy, send one PING each and stay idle; the resident memory (VmRSS in /proc) of the proxy's process before they connect and 3 s after the last one did (for quorum's write port that is the supervisor, which runs the proxy). Each client also holds one connection to the master; Redis's own cost per client and the kernel's socket buffers are not counted. The three proxies run side by side in front of the same deployment and are measured one at a time, ${String(samples)} samples each, the order reversed every sample; the table gives the median and, in brackets, the range. A sample's "before" is read after the previous sample's clients left, so memory a process kept from an earlier sample can serve a later one: the range shows how much that matters. HAProxy runs the usual Sentinel config (\`quorum export haproxy --naive\`); its version and threads are read from \`haproxy -v\` and the running process.`,
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

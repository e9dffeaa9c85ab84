/**
 * Scrape cost of /metrics for 100 observed nodes, against redis_exporter scraping the same 100
 * real redis-server processes (its multi-target /scrape endpoint, one target per scrape). Both
 * run as their own process; CPU time (user + system, from /proc) is read before and after a
 * batch of scrapes. quorum's /metrics renders what its observer already holds, so its observer's
 * own polling (every node, every second) is measured on its own, too.
 *
 *   npx tsx bench/metrics-scrape.ts [--nodes 100] [--rounds 20]
 *
 * Writes the result into docs/benchmarks.md (section "Metrics scrape cost").
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { attach } from '../src/deployment/index.js';
import { Hub, startDashboard } from '../src/server/index.js';
import { writeSection } from './doc.js';
import { sleep } from './setup.js';

const arg = (name: string, fallback: number) =>
  process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : fallback;
const nodes = arg('--nodes', 100);
const rounds = arg('--rounds', 20);
const BASE = 17_100;
const EXPORTER_PORT = 17_090;
const TOKEN = 'bench-metrics-token';
const TICK_S = 1 / Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim());

const addrs = Array.from({ length: nodes }, (_, i) => `127.0.0.1:${BASE + i}`);

/** CPU seconds (user + system) a process has used so far. */
function cpuOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * TICK_S;
}

/** In the child: quorum's observer on every node, the server with /metrics; polls stop unless asked. */
async function serve(keepPolling: boolean): Promise<void> {
  const deployment = attach(
    {
      kind: 'sentinel',
      name: 'bench',
      masterName: 'bench',
      sentinels: [],
      nodes: addrs,
      password: null,
      sentinelPassword: null,
    },
    { timeoutMs: 1000 },
  );
  const { observer } = deployment;
  const hub = new Hub();
  hub.add(deployment);
  await observer.start();
  await observer.poll();
  if (!keepPolling) await observer.stop();
  const dashboard = await startDashboard(hub, {
    host: '127.0.0.1',
    port: 0,
    token: null,
    viewerToken: null,
    readOnly: true,
    metricsToken: TOKEN,
    metricsPublic: false,
  });
  process.stdout.write(`${JSON.stringify({ url: `${dashboard.url}metrics` })}\n`);
  await new Promise((r) => process.once('SIGTERM', r));
  await observer.stop();
  await dashboard.close();
}

async function startChild(keepPolling: boolean): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      new URL(import.meta.url).pathname,
      '--serve',
      '--nodes',
      String(nodes),
      ...(keepPolling ? ['--keep-polling'] : []),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout });
  for await (const line of lines) {
    const { url } = JSON.parse(line) as { url: string };
    return { child, url };
  }
  throw new Error('the quorum server did not start');
}

async function get(url: string, token?: string): Promise<string> {
  const res = await fetch(url, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  return res.text();
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'quorum-bench-metrics-'));
  const servers: ChildProcess[] = [];
  const stop = () => {
    for (const s of servers) s.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    process.stdout.write(`starting ${nodes} redis-server processes\n`);
    for (const [i, addr] of addrs.entries()) {
      const port = addr.split(':')[1] ?? '';
      const data = join(dir, String(i));
      spawnSync('mkdir', ['-p', data]);
      servers.push(
        spawn(
          'redis-server',
          [
            '--port',
            port,
            '--bind',
            '127.0.0.1',
            '--save',
            '',
            '--appendonly',
            'no',
            '--dir',
            data,
          ],
          { stdio: 'ignore' },
        ),
      );
    }
    await sleep(1500);
    // a few keys in two databases, so both report a keyspace
    for (const addr of addrs) {
      const port = addr.split(':')[1] ?? '';
      spawnSync('redis-cli', ['-p', port, 'mset', 'a', '1', 'b', '2', 'c', '3']);
      spawnSync('redis-cli', ['-p', port, '-n', '1', 'set', 'd', '4']);
    }
    const exporter = spawn(
      'prometheus-redis-exporter',
      [`--web.listen-address=127.0.0.1:${EXPORTER_PORT}`, '--redis.addr='],
      { stdio: 'ignore' },
    );
    servers.push(exporter);
    const quorumServer = await startChild(false);
    servers.push(quorumServer.child);
    await sleep(1000);
    const exporterUrl = (addr: string) =>
      `http://127.0.0.1:${EXPORTER_PORT}/scrape?target=redis://${addr}`;
    const sample = await get(exporterUrl(addrs[0] ?? ''));
    if (!/^redis_up 1$/m.test(sample))
      throw new Error('redis_exporter could not scrape redis-server');
    const first = await get(quorumServer.url, TOKEN);
    const upCount = first
      .split('\n')
      .filter((l) => l.startsWith('redis_up{') && l.endsWith(' 1')).length;
    if (upCount !== nodes) throw new Error(`quorum sees ${upCount} of ${nodes} nodes up`);
    // warm both up, then alternate batches so both see the same machine
    for (let i = 0; i < 5; i++) await get(quorumServer.url, TOKEN);
    for (const addr of addrs.slice(0, 20)) await get(exporterUrl(addr));
    let quorumCpu = 0;
    let exporterCpu = 0;
    let quorumBytes = 0;
    let exporterBytes = 0;
    const pid = (c: ChildProcess) => c.pid ?? 0;
    for (let round = 0; round < rounds; round++) {
      let before = cpuOf(pid(quorumServer.child));
      quorumBytes += (await get(quorumServer.url, TOKEN)).length;
      for (let i = 0; i < 9; i++) await get(quorumServer.url, TOKEN);
      quorumCpu += cpuOf(pid(quorumServer.child)) - before;
      before = cpuOf(pid(exporter));
      for (const addr of addrs) exporterBytes += (await get(exporterUrl(addr))).length;
      exporterCpu += cpuOf(pid(exporter)) - before;
      process.stdout.write(`round ${round + 1}/${rounds}\r`);
    }
    quorumServer.child.kill('SIGTERM');
    // 10 quorum scrapes (all nodes each) per round, against 1 exporter scrape of every node
    const quorumPerNodeUs = (quorumCpu / (rounds * 10 * nodes)) * 1e6;
    const exporterPerNodeUs = (exporterCpu / (rounds * nodes)) * 1e6;
    // the observer's own cost: polls of every node, every second, with nobody scraping
    const polling = await startChild(true);
    servers.push(polling.child);
    await sleep(3000);
    const windowS = 20;
    const pollBefore = cpuOf(pid(polling.child));
    await sleep(windowS * 1000);
    const pollCpu = cpuOf(pid(polling.child)) - pollBefore;
    polling.child.kill('SIGTERM');
    const pollPerNodeUs = (pollCpu / (windowS * nodes)) * 1e6;
    const ratio = quorumPerNodeUs / exporterPerNodeUs;
    const fmt = (n: number) => n.toFixed(1);
    const section = `## Metrics scrape cost

\`npx tsx bench/metrics-scrape.ts --nodes ${nodes} --rounds ${rounds}\` (${new Date().toISOString().slice(0, 10)})

${nodes} real redis-server processes (a few keys in db0 and db1 each). quorum: its server in its
own process, observing all ${nodes} nodes, \`GET /metrics\` (one scrape covers every node, ${Math.round(
      quorumBytes / rounds / 1024,
    )} KiB). redis_exporter ${exporterVersion()}: its \`/scrape?target=\` endpoint, one scrape per node
(as a Prometheus with one target per instance does, ${Math.round(exporterBytes / rounds / nodes / 1024)} KiB each). CPU time (user + system)
of each process from /proc, alternating in ${rounds} rounds: ${rounds * 10} quorum scrapes and ${rounds * nodes} redis_exporter scrapes.

| | CPU per node per scrape | ratio quorum / redis_exporter |
|---|---|---|
| quorum \`/metrics\` (renders what the observer holds) | ${fmt(quorumPerNodeUs)} µs | ${ratio.toFixed(3)} |
| redis_exporter \`/scrape\` (asks Redis on each scrape) | ${fmt(exporterPerNodeUs)} µs | 1 |
| quorum's observer, polling every node once a second | ${fmt(pollPerNodeUs)} µs per node per poll | |

The scrape itself costs quorum ${ratio < 1 ? `${(1 / ratio).toFixed(0)}x less` : `${ratio.toFixed(1)}x more`} per node than redis_exporter. quorum pays for its observation
whether anyone scrapes or not: one INFO per node per second (the dashboard and alerts need it);
redis_exporter pays on each scrape. At a 15 s scrape interval quorum's polling comes to
${fmt(pollPerNodeUs * 15)} µs per node per interval against redis_exporter's ${fmt(exporterPerNodeUs)} µs, which
is what one pays for second-by-second alerting; the redis-servers' own cost of answering INFO is
in neither figure.
`;
    writeSection('Metrics scrape cost', section);
  } finally {
    stop();
  }
}

function exporterVersion(): string {
  const run = spawnSync('prometheus-redis-exporter', ['--version'], { encoding: 'utf8' });
  return /v?(\d+\.\d+\.\d+)/.exec(`${run.stdout}${run.stderr}`)?.[1] ?? '';
}

if (process.argv.includes('--serve')) void serve(process.argv.includes('--keep-polling'));
else
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });

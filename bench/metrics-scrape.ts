/**
 * Metrics cost: quorum's total (its observer polling every node every second, whether or not
 * anyone scrapes, plus one /metrics render per scrape) against redis_exporter (which asks Redis
 * on each scrape, one target per scrape), per node per scrape interval, on real redis-server
 * processes in two configurations: standalone nodes, and Sentinel deployments of a master, two
 * replicas and the three sentinels that monitor them all (quorum's observer then also polls the
 * sentinels and subscribes to their events). CPU time (user + system) of each process from /proc.
 *
 *   npx tsx bench/metrics-scrape.ts [--nodes 99] [--rounds 20] [--window 30]
 *
 * Writes the result into docs/benchmarks.md (section "Metrics scrape cost").
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { writeSection } from './doc.js';
import { breakEvenS, checked, costTable, headline, type Measured } from './metrics-cost.js';
import { Fleet, GROUP, nodeAddrs, sentinelAddrs, type Mode } from './metrics-fleet.js';
import { METRICS_TOKEN } from './metrics-serve.js';
import { sleep } from './setup.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
};
const nodes = arg('--nodes', 99);
const rounds = arg('--rounds', 20);
const windowS = arg('--window', 30);
if (![nodes, rounds, windowS].every((n) => Number.isInteger(n) && n > 0) || nodes % GROUP !== 0) {
  process.stderr.write(
    `--nodes must be a positive multiple of ${String(GROUP)}, --rounds and --window positive integers.\n`,
  );
  process.exit(2);
}
const EXPORTER_PORT = 17_090;
/** quorum scrapes per round: one /metrics covers every node, so a round repeats it. */
const QUORUM_SCRAPES = 10;
const TICK_S = 1 / Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim());

/** CPU seconds (user + system, all threads) a process has used so far. */
function cpuOf(child: ChildProcess): number {
  const stat = readFileSync(`/proc/${String(child.pid)}/stat`, 'utf8');
  const fields = stat.split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * TICK_S;
}

/** The quorum process (bench/metrics-serve.ts); resolves once its first poll is done. */
async function startQuorum(
  mode: Mode,
  keepPolling: boolean,
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      new URL('metrics-serve.ts', import.meta.url).pathname,
      '--mode',
      mode,
      '--nodes',
      String(nodes),
      ...(keepPolling ? ['--keep-polling'] : []),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  for await (const line of createInterface({ input: child.stdout })) {
    const { url } = JSON.parse(line) as { url: string };
    return { child, url };
  }
  throw new Error('the quorum process did not start');
}

async function stopQuorum(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(5000).then(() => child.kill('SIGKILL'))]);
}

async function get(url: string, token?: string): Promise<string> {
  const res = await fetch(url, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`${url} answered ${String(res.status)}`);
  return res.text();
}

const exporterUrl = (addr: string) =>
  `http://127.0.0.1:${String(EXPORTER_PORT)}/scrape?target=redis://${addr}`;

/** What one configuration costs each side, per data node. */
async function measure(mode: Mode, exporter: ChildProcess): Promise<Measured> {
  // redis_exporter has one target per data node, and one per sentinel when there are sentinels
  const targets = [...nodeAddrs(nodes), ...(mode === 'sentinel' ? sentinelAddrs() : [])];
  const render = await startQuorum(mode, false);
  let quorumCpu = 0;
  let exporterCpu = 0;
  let quorumBytes = 0;
  let exporterBytes = 0;
  try {
    const first = await get(render.url, METRICS_TOKEN);
    const up = first.split('\n').filter((l) => /^redis_up\{.*\} 1$/.test(l)).length;
    // redis_up counts sentinels too, once per deployment that names them
    const expected = nodes + (mode === 'sentinel' ? (nodes / GROUP) * sentinelAddrs().length : 0);
    if (up !== expected)
      throw new Error(`quorum sees ${String(up)} of ${String(expected)} nodes and sentinels up`);
    // warm both up, then alternate batches so both see the same machine
    for (let i = 0; i < 5; i++) await get(render.url, METRICS_TOKEN);
    for (const addr of targets.slice(0, 20)) await get(exporterUrl(addr));
    for (let round = 0; round < rounds; round++) {
      let before = cpuOf(render.child);
      for (let i = 0; i < QUORUM_SCRAPES; i++)
        quorumBytes += (await get(render.url, METRICS_TOKEN)).length;
      quorumCpu += cpuOf(render.child) - before;
      before = cpuOf(exporter);
      for (const addr of targets) exporterBytes += (await get(exporterUrl(addr))).length;
      exporterCpu += cpuOf(exporter) - before;
      process.stdout.write(`${mode}: round ${String(round + 1)}/${String(rounds)}\r`);
    }
  } finally {
    await stopQuorum(render.child);
  }
  // the observer alone: every node (and sentinel) polled every second, nobody scraping
  const polling = await startQuorum(mode, true);
  let pollCpu = 0;
  try {
    await sleep(3000);
    const before = cpuOf(polling.child);
    await sleep(windowS * 1000);
    pollCpu = cpuOf(polling.child) - before;
  } finally {
    await stopQuorum(polling.child);
  }
  const us = 1e6;
  return checked({
    observerUs: (pollCpu / (windowS * nodes)) * us,
    renderUs: (quorumCpu / (rounds * QUORUM_SCRAPES * nodes)) * us,
    exporterUs: (exporterCpu / (rounds * nodes)) * us,
    quorumBytes: quorumBytes / (rounds * QUORUM_SCRAPES * nodes),
    exporterBytes: exporterBytes / (rounds * nodes),
  });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'quorum-bench-metrics-'));
  const fleet = new Fleet(dir, nodes);
  let exporter: ChildProcess | null = null;
  try {
    process.stdout.write(`starting ${String(nodes)} redis-server processes\n`);
    await fleet.startNodes();
    exporter = spawn(
      'prometheus-redis-exporter',
      [`--web.listen-address=127.0.0.1:${String(EXPORTER_PORT)}`, '--redis.addr='],
      { stdio: 'ignore' },
    );
    const running = exporter;
    await waitFor(
      async () => /^redis_up 1$/m.test(await get(exporterUrl(nodeAddrs(1)[0] ?? ''))),
      'redis_exporter could not scrape redis-server',
    );
    const standalone = await measure('standalone', running);
    process.stdout.write(`\nstarting ${String(nodes / GROUP)} Sentinel deployments\n`);
    await fleet.startSentinels();
    const sentinel = await measure('sentinel', running);
    writeSection('Metrics scrape cost', section(standalone, sentinel));
  } finally {
    exporter?.kill('SIGKILL');
    fleet.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Retries `check` (failures count as not yet) every 200 ms for up to 10 s. */
async function waitFor(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(what);
    await sleep(200);
  }
}

function section(standalone: Measured, sentinel: Measured): string {
  const groups = nodes / GROUP;
  return [
    '## Metrics scrape cost',
    '',
    `${headline(sentinel).replace('At a', 'With Sentinel deployments, at a')} ${headline(standalone).replace('At a', 'With standalone nodes, at a')}`,
    '',
    '```sh',
    `npx tsx bench/metrics-scrape.ts --nodes ${String(nodes)} --rounds ${String(rounds)} --window ${String(windowS)}   # ${new Date().toISOString().slice(0, 10)}, 2 cores, loopback`,
    '```',
    '',
    `What is measured: CPU time (user + system, all threads, from /proc) of the quorum process and of the redis_exporter ${exporterVersion()} process, divided per data node. quorum polls every node once a second whether anyone scrapes or not, so its cost per scrape interval is its observer's CPU over the interval (measured over ${String(windowS)} s with no scrape, the observer feeding the dashboard's history and alerts as it does in \`quorum dashboard\`) plus one \`GET /metrics\`, which renders what the observer holds (measured with the observer stopped, ${String(rounds * QUORUM_SCRAPES)} renders, one covering every node). redis_exporter asks Redis on each scrape: its \`/scrape?target=\` endpoint, one scrape per target per interval, as a Prometheus with one target per instance does (${String(rounds)} intervals). A fresh sample is a new reading of a node: quorum makes one per node per second, redis_exporter one per scrape. The redis-servers' and sentinels' own cost of answering is in neither figure.`,
    '',
    `### ${String(groups)} Sentinel deployments (${String(nodes)} data nodes)`,
    '',
    `Each deployment a master and two replicas; three sentinels monitor all ${String(groups)}. quorum watches each deployment as \`quorum\` does: every second INFO from its three nodes and each sentinel's view of its master, and a subscription to every sentinel's events. redis_exporter scrapes the ${String(nodes)} nodes and the 3 sentinels each interval.`,
    '',
    ...costTable(sentinel),
    '',
    `Break-even and bytes: ${breakEvenText(sentinel)}`,
    '',
    `### ${String(nodes)} standalone nodes`,
    '',
    `The same redis-server processes before replication was set up, quorum watching them as one deployment with no sentinels (INFO from each node every second, nothing to subscribe to); redis_exporter scrapes the ${String(nodes)} nodes.`,
    '',
    ...costTable(standalone),
    '',
    `Break-even and bytes: ${breakEvenText(standalone)}`,
    '',
  ].join('\n');
}

function breakEvenText(m: Measured): string {
  const even = breakEvenS(m);
  return `${
    even === null
      ? 'quorum costs more per node at every scrape interval of 1 s or more.'
      : `both cost the same per node at a ${even.toFixed(1)} s scrape interval; at longer intervals quorum costs more.`
  } Bytes are what one scrape returns, per node.`;
}

function exporterVersion(): string {
  const run = spawnSync('prometheus-redis-exporter', ['--version'], { encoding: 'utf8' });
  return /v?(\d+\.\d+\.\d+)/.exec(`${run.stdout}${run.stderr}`)?.[1] ?? '';
}

main().catch((err: unknown) => {
  process.stderr.write(`\n${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

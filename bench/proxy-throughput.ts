/**
 * Proxy throughput: redis-benchmark (SET and GET, 50 clients, pipeline 1 and 16) against the
 * master directly, through HAProxy (the usual Sentinel config: tcp-check role:master, check inter
 * 1s), through quorum's proxy (the write port `quorum up` starts, native relay) and through a
 * `quorum proxy --relay js` (the relay in Node's event loop), alternating all four in random order
 * in every round so that noise on this shared machine hits them alike. Each proxy's CPU time per
 * request comes from /proc.
 *
 *   npx tsx bench/proxy-throughput.ts [--rounds 7] [--requests 200000]
 *
 * `--requests` is per run at pipeline 1; runs at pipeline 16 send 8 times as many, so that both
 * last seconds. Writes the result into docs/benchmarks.md (section "Proxy throughput").
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { percentile, writeSection } from './doc.js';
import { haproxyFacts, jsProxy, naiveHaproxy, quorum, upWithProxy } from './setup.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
};
const rounds = arg('--rounds', 7);
/** `--no-syscalls`: no `perf stat` during the runs (it slows every system call it counts). */
const withPerf = !process.argv.includes('--no-syscalls');
const requests = arg('--requests', 200_000);
const dir = mkdtempSync(join(tmpdir(), 'quorum-bench-proxy-'));
const port = 17800;
const haproxyPort = 17880;
const jsProxyPort = 17890;

interface Result {
  rps: number;
  p50: number;
  p99: number;
  /** CPU time (user + system, all threads) the proxy process spent per request, µs. */
  cpuUs: number;
  /** System calls of the proxy process per request (all, epoll_wait, epoll_ctl); NaN without perf. */
  syscalls: number;
  epollWaits: number;
  epollCtls: number;
}

const SYSCALL_EVENTS = [
  'raw_syscalls:sys_enter',
  'syscalls:sys_enter_epoll_wait',
  'syscalls:sys_enter_epoll_ctl',
];

/** `perf stat` counting the system calls of process `pid` until stopped. */
function countSyscalls(pid: number): { stop: () => Promise<number[]> } {
  const perf = spawn('perf', ['stat', '-x,', '-e', SYSCALL_EVENTS.join(','), '-p', String(pid)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  perf.stderr.on('data', (c: Buffer) => (err += c.toString()));
  // without perf (not installed), the counts are NaN
  const exited = new Promise<void>((resolve) => {
    perf.once('close', () => resolve());
    perf.once('error', () => resolve());
  });
  return {
    stop: async () => {
      perf.kill('SIGINT');
      await exited;
      // one line per event: count,unit,event,...
      return SYSCALL_EVENTS.map((event) => {
        const line = err.split('\n').find((l) => l.split(',')[2] === event);
        return Number(line?.split(',')[0] ?? NaN);
      });
    },
  };
}

/** CPU seconds (user + system, all threads) a process has used so far. */
function cpuSeconds(pid: number): number {
  const fields =
    readFileSync(`/proc/${String(pid)}/stat`, 'utf8')
      .split(') ')[1]
      ?.split(' ') ?? [];
  // utime and stime are fields 14 and 15 of /proc/PID/stat, in clock ticks (100 per second)
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** One redis-benchmark run of one test against one port: requests/s and latency percentiles. */
async function bench(
  target: number,
  test: 'set' | 'get',
  pipeline: number,
  pid: number | null,
): Promise<Result> {
  const counting = pid === null || !withPerf ? null : countSyscalls(pid);
  // perf attaches before the run starts
  if (counting) await new Promise((r) => setTimeout(r, 300));
  const cpuBefore = pid === null ? 0 : cpuSeconds(pid);
  const n = pipeline === 1 ? requests : requests * 8;
  const csv = execFileSync(
    'redis-benchmark',
    [
      '-p',
      String(target),
      '-t',
      test,
      '-n',
      String(n),
      '-c',
      '50',
      '-P',
      String(pipeline),
      '-r',
      '100000',
      '--csv',
    ],
    { encoding: 'utf8' },
  );
  // "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
  const line = csv.trim().split('\n').at(-1) ?? '';
  const cells = line.split(',').map((c) => Number(c.replace(/"/g, '')));
  const cpuUs = pid === null ? NaN : ((cpuSeconds(pid) - cpuBefore) * 1e6) / n;
  const [all = NaN, waits = NaN, ctls = NaN] = (await counting?.stop()) ?? [];
  return {
    rps: cells[1] ?? NaN,
    p50: cells[4] ?? NaN,
    p99: cells[6] ?? NaN,
    cpuUs,
    syscalls: all / n,
    epollWaits: waits / n,
    epollCtls: ctls / n,
  };
}

/** The target (at least 1.1 x HAProxy's throughput at both depths, p99 no worse), read off the medians. */
const TARGET_RATIO = 1.1;

function verdict(results: { label: string; ratio: number; p99: number }[]): string {
  const low = results.reduce((a, b) => (b.ratio < a.ratio ? b : a));
  const worseP99 = results.filter((r) => r.p99 > 1);
  const met = low.ratio >= TARGET_RATIO && worseP99.length === 0;
  return [
    `Target (quorum / HAProxy >= ${TARGET_RATIO.toFixed(1)} at both depths, p99 no worse): ${met ? 'met' : 'not met'} in this run.`,
    `Lowest throughput ratio ${low.ratio.toFixed(2)} (${low.label});`,
    worseP99.length === 0
      ? "quorum's p99 is at or below HAProxy's in every test."
      : `quorum's p99 above HAProxy's in ${worseP99.map((r) => `${r.label} (x${r.p99.toFixed(2)})`).join(', ')}.`,
  ].join(' ');
}

const NAMES = ['direct', 'haproxy', 'quorum', 'quorum-js'] as const;
type Name = (typeof NAMES)[number];

async function main(): Promise<void> {
  const proxyPort = upWithProxy(dir, port);
  const haproxy = naiveHaproxy(dir, haproxyPort);
  let js: ChildProcess | null = null;
  const results = new Map<string, Result[]>();
  let facts = '';
  try {
    js = await jsProxy(port + 100, jsProxyPort);
    await new Promise((r) => setTimeout(r, 4000));
    facts = haproxyFacts(haproxy.pid);
    const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as {
      supervisor: { pid: number };
    };
    const targets: Record<Name, { port: number; pid: number | null }> = {
      direct: { port, pid: null },
      haproxy: { port: haproxyPort, pid: haproxy.pid ?? null },
      quorum: { port: proxyPort, pid: state.supervisor.pid },
      'quorum-js': { port: jsProxyPort, pid: js.pid ?? null },
    };
    for (let round = 1; round <= rounds; round++) {
      for (const pipeline of [1, 16]) {
        for (const test of ['set', 'get'] as const) {
          // a different order each round: whoever runs first or last gets no steady advantage
          const order = [...NAMES].sort(() => Math.random() - 0.5);
          for (const name of order) {
            const r = await bench(targets[name].port, test, pipeline, targets[name].pid);
            const key = `${name} ${test} P${String(pipeline)}`;
            results.set(key, [...(results.get(key) ?? []), r]);
            process.stdout.write(
              `round ${String(round)}/${String(rounds)} ${key}: ${r.rps.toFixed(0)} req/s, p50 ${String(r.p50)} ms, p99 ${String(r.p99)} ms, ${r.cpuUs.toFixed(2)} µs CPU/request\n`,
            );
          }
        }
      }
    }
  } finally {
    js?.kill('SIGTERM');
    haproxy.kill('SIGTERM');
    quorum(['down', '--dir', dir, '--purge']);
    rmSync(dir, { recursive: true, force: true });
  }
  const median = (key: string, f: keyof Result) =>
    percentile(
      (results.get(key) ?? []).map((r) => r[f]),
      50,
    );
  const rows: string[] = [];
  const cpuRows: string[] = [];
  const syscallRows: string[] = [];
  /** Each test's throughput ratio and p99 ratio, quorum / HAProxy (medians). */
  const verdicts: { label: string; ratio: number; p99: number }[] = [];
  for (const pipeline of [1, 16]) {
    for (const test of ['set', 'get']) {
      const k = (n: Name) => `${n} ${test} P${String(pipeline)}`;
      const d = median(k('direct'), 'rps');
      const h = median(k('haproxy'), 'rps');
      const q = median(k('quorum'), 'rps');
      const j = median(k('quorum-js'), 'rps');
      // the same round's runs compared: the machine's speed drifts between rounds, not within one
      const runs = (n: Name) => results.get(k(n)) ?? [];
      const paired = percentile(
        runs('quorum').map((r, i) => r.rps / (runs('haproxy')[i]?.rps ?? NaN)),
        50,
      );
      const latency = (n: Name) =>
        `${median(k(n), 'p50').toFixed(3)} / ${median(k(n), 'p99').toFixed(3)}`;
      const label = `${test.toUpperCase()} -P ${String(pipeline)}`;
      rows.push(
        `| ${label} | ${d.toFixed(0)} | ${h.toFixed(0)} (${(h / d).toFixed(2)}) | ${q.toFixed(0)} (${(q / d).toFixed(2)}) | **${(q / h).toFixed(2)}** | ${paired.toFixed(2)} | ${latency('haproxy')} | ${latency('quorum')} | ${(j / h).toFixed(2)} |`,
      );
      verdicts.push({
        label,
        ratio: q / h,
        p99: median(k('quorum'), 'p99') / median(k('haproxy'), 'p99'),
      });
      const cpu = (n: Name) => median(k(n), 'cpuUs');
      const calls = (n: Name) =>
        `${median(k(n), 'syscalls').toFixed(3)} (${median(k(n), 'epollWaits').toFixed(3)}, ${median(k(n), 'epollCtls').toFixed(3)})`;
      syscallRows.push(`| ${label} | ${calls('haproxy')} | ${calls('quorum')} |`);
      cpuRows.push(
        `| ${label} | ${cpu('haproxy').toFixed(2)} | ${cpu('quorum').toFixed(2)} (${(cpu('quorum') / cpu('haproxy')).toFixed(2)}) | ${cpu('quorum-js').toFixed(2)} (${(cpu('quorum-js') / cpu('haproxy')).toFixed(2)}) |`,
      );
    }
  }
  writeSection(
    'Proxy throughput',
    [
      '## Proxy throughput',
      '',
      `redis-benchmark, 50 clients, random keys, ${String(requests)} requests per run at pipeline 1 and ${String(requests * 8)} at pipeline 16, against the master directly, through ${facts} (read from \`haproxy -v\` and the running process; the usual Sentinel config: \`tcp-check\` expecting \`role:master\`, \`check inter 1s\`; \`quorum export haproxy --naive\`), through quorum's write port (started by \`quorum up\`, in the supervisor's process, compiled relay: every session to the master on one thread, which also accepts the write port's clients) and through \`quorum proxy --relay js\` (the relay in Node's event loop). The four alternate in random order in each of ${String(rounds)} rounds; medians.${withPerf ? ' `perf stat` counts the system calls of each proxy in every run (it slows them; `--no-syscalls` leaves it out).' : ''} In parentheses: the ratio to direct. "same round": the median of quorum / HAProxy taken within each round.`,
      '',
      '```sh',
      `npx tsx bench/proxy-throughput.ts --rounds ${String(rounds)} --requests ${String(requests)}   # ${new Date().toISOString().slice(0, 10)}, 2 cores, loopback`,
      '```',
      '',
      '| test | direct req/s | HAProxy req/s | quorum req/s | quorum / HAProxy | same round | HAProxy p50 / p99 ms | quorum p50 / p99 ms | JS relay / HAProxy |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      ...rows,
      '',
      "CPU time per request of each proxy's process (user + system, all threads, from /proc; quorum's includes the supervisor and the observer it shares the process with). In parentheses: the ratio to HAProxy.",
      '',
      '| test | HAProxy µs | quorum µs | quorum --relay js µs |',
      '| --- | --- | --- | --- |',
      ...cpuRows,
      '',
      "System calls per request of each proxy's process (all threads, counted by `perf stat -e raw_syscalls:sys_enter` during each run; in parentheses the `epoll_wait` and `epoll_ctl` among them).",
      '',
      '| test | HAProxy | quorum |',
      '| --- | --- | --- |',
      ...syscallRows,
      '',
      verdict(verdicts),
      '',
    ].join('\n'),
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});

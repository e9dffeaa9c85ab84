/**
 * Proxy throughput: redis-benchmark (SET and GET, 50 clients, pipeline 1 and 16) against the
 * master directly, through HAProxy (the usual Sentinel config: tcp-check role:master, check inter
 * 1s) and through quorum's proxy (the write port `quorum up` starts), alternating the three in
 * every round so that noise on this shared machine hits them alike.
 *
 *   npx tsx bench/proxy-throughput.ts [--rounds 5] [--requests 200000]
 *
 * Writes the result into docs/benchmarks.md (section "Proxy throughput").
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { percentile, writeSection } from './doc.js';
import { naiveHaproxy, quorum, upWithProxy } from './setup.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
};
const rounds = arg('--rounds', 5);
const requests = arg('--requests', 200_000);
const dir = mkdtempSync(join(tmpdir(), 'quorum-bench-proxy-'));
const port = 17800;
const haproxyPort = 17880;

interface Result {
  rps: number;
  p50: number;
  p99: number;
}

/** One redis-benchmark run of one test against one port: requests/s and latency percentiles. */
function bench(target: number, test: 'set' | 'get', pipeline: number): Result {
  const csv = execFileSync(
    'redis-benchmark',
    [
      '-p',
      String(target),
      '-t',
      test,
      '-n',
      String(requests),
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
  return { rps: cells[1] ?? NaN, p50: cells[4] ?? NaN, p99: cells[6] ?? NaN };
}

async function main(): Promise<void> {
  const proxyPort = upWithProxy(dir, port);
  const haproxy = naiveHaproxy(dir, haproxyPort);
  await new Promise((r) => setTimeout(r, 4000));
  const targets = { direct: port, haproxy: haproxyPort, quorum: proxyPort } as const;
  type Name = keyof typeof targets;
  const results = new Map<string, Result[]>();
  try {
    for (let round = 1; round <= rounds; round++) {
      for (const pipeline of [1, 16]) {
        for (const test of ['set', 'get'] as const) {
          // a different order each round: whoever runs first or last gets no steady advantage
          const order = (Object.keys(targets) as Name[]).sort(() => Math.random() - 0.5);
          for (const name of order) {
            const r = bench(targets[name], test, pipeline);
            const key = `${name} ${test} P${String(pipeline)}`;
            results.set(key, [...(results.get(key) ?? []), r]);
            process.stdout.write(
              `round ${String(round)}/${String(rounds)} ${key}: ${r.rps.toFixed(0)} req/s, p50 ${String(r.p50)} ms, p99 ${String(r.p99)} ms\n`,
            );
          }
        }
      }
    }
  } finally {
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
  for (const pipeline of [1, 16]) {
    for (const test of ['set', 'get']) {
      const k = (n: Name) => `${n} ${test} P${String(pipeline)}`;
      const d = median(k('direct'), 'rps');
      const h = median(k('haproxy'), 'rps');
      const q = median(k('quorum'), 'rps');
      rows.push(
        `| ${test.toUpperCase()} -P ${String(pipeline)} | ${d.toFixed(0)} | ${h.toFixed(0)} (${(h / d).toFixed(2)}) | ${q.toFixed(0)} (${(q / d).toFixed(2)}) | **${(q / h).toFixed(2)}** | ${median(k('haproxy'), 'p50').toFixed(3)} / ${median(k('haproxy'), 'p99').toFixed(3)} | ${median(k('quorum'), 'p50').toFixed(3)} / ${median(k('quorum'), 'p99').toFixed(3)} |`,
      );
    }
  }
  writeSection(
    'Proxy throughput',
    [
      '## Proxy throughput',
      '',
      `redis-benchmark, ${String(requests)} requests per run, 50 clients, random keys, against the master directly, through HAProxy 2.6 (the usual Sentinel config: \`tcp-check\` expecting \`role:master\`, \`check inter 1s\`; \`quorum export haproxy --naive\`) and through quorum's write port (started by \`quorum up\`, in the supervisor's process). The three alternate in random order in each of ${String(rounds)} rounds; medians. In parentheses: the ratio to direct.`,
      '',
      '```sh',
      `npx tsx bench/proxy-throughput.ts --rounds ${String(rounds)} --requests ${String(requests)}   # ${new Date().toISOString().slice(0, 10)}, 2 cores, loopback`,
      '```',
      '',
      '| test | direct req/s | HAProxy req/s | quorum req/s | quorum / HAProxy | HAProxy p50 / p99 ms | quorum p50 / p99 ms |',
      '| --- | --- | --- | --- | --- | --- | --- |',
      ...rows,
      '',
    ].join('\n'),
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});

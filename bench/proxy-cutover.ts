/**
 * Proxy cutover: a writer through HAProxy (the usual Sentinel config) and one through quorum's
 * write port, side by side, while the master is killed with SIGKILL; per run, each writer's
 * longest time without an acknowledged write, next to the earliest +switch-master.
 *
 *   npx tsx bench/proxy-cutover.ts [--runs 10]
 *
 * Writes the result into docs/benchmarks.md (section "Proxy cutover").
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { percentile, writeSection } from './doc.js';
import { naiveHaproxy, quorum, sleep, upWithProxy } from './setup.js';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1] || 10);
const dir = mkdtempSync(join(tmpdir(), 'quorum-bench-cutover-'));
const port = 17900;
const haproxyPort = 17980;
const DOWN_AFTER_MS = 3000;

/** Writes every 5 ms through `port` and keeps the longest gap between acknowledged writes. */
class Writer {
  private readonly client: Redis;
  private last = Date.now();
  longest = { ms: 0, endAt: 0 };
  private running = true;
  private readonly loop: Promise<void>;

  constructor(port: number) {
    this.client = new Redis({
      port,
      maxRetriesPerRequest: 1,
      retryStrategy: () => 10,
      connectTimeout: 1000,
    });
    this.client.on('error', () => undefined);
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        await Promise.race([
          this.client.set('cutover', String(Date.now())),
          sleep(1000).then(() => Promise.reject(new Error('timeout'))),
        ]);
        const now = Date.now();
        if (now - this.last > this.longest.ms) this.longest = { ms: now - this.last, endAt: now };
        this.last = now;
      } catch {
        // not acknowledged: the gap goes on
      }
      await sleep(5);
    }
  }

  reset(): void {
    this.longest = { ms: 0, endAt: 0 };
    this.last = Date.now();
  }

  /** When the longest gap began. */
  gapStart(): number {
    return this.longest.endAt - this.longest.ms;
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    this.client.disconnect();
  }
}

async function main(): Promise<void> {
  const proxyPort = upWithProxy(dir, port, ['--down-after', String(DOWN_AFTER_MS)]);
  const haproxy = naiveHaproxy(dir, haproxyPort);
  const sentinels = [0, 1, 2].map((i) => {
    const s = new Redis({ port: port + 100 + i });
    s.on('error', () => undefined);
    return s;
  });
  let switchAt = 0;
  for (const s of sentinels) {
    await s.subscribe('+switch-master');
    s.on('message', () => {
      if (switchAt === 0) switchAt = Date.now();
    });
  }
  await sleep(4000);
  const writers = { haproxy: new Writer(haproxyPort), quorum: new Writer(proxyPort) };
  const rows: { switchMs: number; haproxyMs: number; quorumMs: number }[] = [];
  try {
    for (let run = 1; run <= runs; run++) {
      await sleep(1500);
      const status = JSON.parse(quorum(['status', '--json', '--dir', dir])) as {
        deployments: { master: string }[];
      };
      const master = status.deployments[0]?.master ?? '';
      writers.haproxy.reset();
      writers.quorum.reset();
      switchAt = 0;
      const killedAt = Date.now();
      quorum(['node', 'kill', master, '--dir', dir]);
      for (let i = 0; i < 200 && switchAt === 0; i++) await sleep(100);
      // both writers back, and a little more: the gap is measured once it ended
      await sleep(6000);
      const row = {
        switchMs: switchAt - killedAt,
        haproxyMs: writers.haproxy.gapStart() + writers.haproxy.longest.ms - killedAt,
        quorumMs: writers.quorum.gapStart() + writers.quorum.longest.ms - killedAt,
      };
      rows.push(row);
      process.stdout.write(
        `run ${String(run)}/${String(runs)}: +switch-master ${String(row.switchMs)} ms after the kill; writes again through HAProxy ${String(row.haproxyMs)} ms, through quorum ${String(row.quorumMs)} ms\n`,
      );
      quorum(['node', 'start', master, '--dir', dir]);
      for (let i = 0; i < 60; i++) {
        try {
          quorum(['status', '--dir', dir]);
          break;
        } catch {
          await sleep(500);
        }
      }
    }
  } finally {
    await writers.haproxy.stop();
    await writers.quorum.stop();
    for (const s of sentinels) s.disconnect();
    haproxy.kill('SIGTERM');
    quorum(['down', '--dir', dir, '--purge']);
    rmSync(dir, { recursive: true, force: true });
  }
  const p50 = (f: keyof (typeof rows)[number]) =>
    percentile(
      rows.map((r) => r[f]),
      50,
    );
  const after = (f: 'haproxyMs' | 'quorumMs') => rows.map((r) => r[f] - r.switchMs);
  writeSection(
    'Proxy cutover',
    [
      '## Proxy cutover',
      '',
      `A writer through each endpoint (SET every 5 ms, 1 s timeout, reconnecting at once), the master killed with SIGKILL, down-after ${String(DOWN_AFTER_MS)} ms; ${String(runs)} runs. Times from the kill: the earliest \`+switch-master\` (any sentinel), and when each writer had an acknowledged write again. HAProxy runs the usual config (\`quorum export haproxy --naive\`: role:master, \`check inter 1s\`, rise 2).`,
      '',
      '```sh',
      `npx tsx bench/proxy-cutover.ts --runs ${String(runs)}   # ${new Date().toISOString().slice(0, 10)}, 2 cores, loopback`,
      '```',
      '',
      '| | +switch-master | writes again via HAProxy | writes again via quorum |',
      '| --- | --- | --- | --- |',
      `| p50 | ${p50('switchMs').toFixed(0)} ms | ${p50('haproxyMs').toFixed(0)} ms | ${p50('quorumMs').toFixed(0)} ms |`,
      `| p50 after +switch-master | - | ${percentile(after('haproxyMs'), 50).toFixed(0)} ms | ${percentile(after('quorumMs'), 50).toFixed(0)} ms |`,
      `| max after +switch-master | - | ${Math.max(...after('haproxyMs')).toFixed(0)} ms | ${Math.max(...after('quorumMs')).toFixed(0)} ms |`,
      '',
    ].join('\n'),
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});

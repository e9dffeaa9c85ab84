/**
 * Proxy cutover: writers side by side through three HAProxy configs (the usual one, the usual
 * one with fast checks, `quorum export haproxy`'s hardened one) and through quorum's write port,
 * while the master is killed with SIGKILL; per run, when each writer had an acknowledged write
 * again (the end of its stretch without one that is open `KILL_SETTLE_MS` after the kill), next to
 * the earliest +switch-master. A run in which no sentinel announced a switch is reported as a
 * failed run, never averaged in; a writer not back in a run counts as never in the figures. When
 * `quorum node start` of the killed master is refused (a failover still pending), the failure is
 * recorded and a `quorum failover` forced; if the deployment cannot be brought back, the bench
 * stops and still writes what it measured, the failure named.
 *
 *   npx tsx bench/proxy-cutover.ts [--runs 10]
 *
 * Writes the result into docs/benchmarks.md (section "Proxy cutover").
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import {
  ENDPOINTS,
  cutoverRow,
  cutoverVerdict,
  type CutoverRun,
  type Key,
} from './cutover-report.js';
import { KILL_SETTLE_MS, Writer } from './cutover-writer.js';
import { percentile, writeSection } from './doc.js';
import {
  haproxyFacts,
  quorum,
  quorumError,
  replicasReady,
  sleep,
  startHaproxy,
  upWithProxy,
  type HaproxyForm,
} from './setup.js';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1] || 10);
if (!Number.isInteger(runs) || runs < 1) {
  process.stderr.write('--runs must be a positive integer.\n');
  process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), 'quorum-bench-cutover-'));
const port = 17900;
const DOWN_AFTER_MS = 3000;
/** How long a run waits for +switch-master after the kill before it counts as failed. */
const SWITCH_TIMEOUT_MS = 20_000;
/** After the switch, how long every writer has to write again. */
const SETTLE_MS = 6000;
/** How long each writer has for its first acknowledged write once every proxy is started. */
const FIRST_WRITE_MS = 15_000;

interface State {
  processes: { kind: string; port: number; pid: number | null }[];
}

/** SIGKILL to the master's process itself, so the kill's time is known to the millisecond. */
function killMaster(master: string): number {
  const masterPort = Number(master.split(':').at(-1));
  const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as State;
  const pid = state.processes.find((p) => p.kind === 'redis' && p.port === masterPort)?.pid;
  if (pid === undefined || pid === null) throw new Error(`no running process for ${master}`);
  const at = Date.now();
  process.kill(pid, 'SIGKILL');
  return at;
}

/**
 * `quorum node start` of the killed master; it refuses after a long wait when a failover stays
 * pending. Then a forced `quorum failover` and a second start. Each failure goes into `failed`;
 * throws (with the last one) only when the deployment could not be brought back.
 */
function startAgain(master: string, run: number, failed: string[]): void {
  try {
    quorum(['node', 'start', master, '--dir', dir]);
    return;
  } catch (err) {
    failed.push(`run ${String(run)}: \`quorum node start ${master}\` failed (${quorumError(err)})`);
    process.stdout.write(`${failed.at(-1) ?? ''}; forcing a failover\n`);
  }
  try {
    quorum(['failover', '--dir', dir]);
    quorum(['node', 'start', master, '--dir', dir]);
  } catch (err) {
    failed.push(
      `run ${String(run)}: the deployment could not be brought back (${quorumError(err)}); the bench stopped there`,
    );
    throw new Error(failed.at(-1));
  }
}

/** Every writer's first acknowledged write: HAProxy's checks have found the master. */
async function firstWrites(writers: Record<Key, Writer>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(
        new Error(
          `a writer had no acknowledged write ${String(FIRST_WRITE_MS)} ms after the start`,
        ),
      );
    }, FIRST_WRITE_MS);
  });
  try {
    await Promise.race([Promise.all(Object.values(writers).map((w) => w.firstAck)), late]);
  } finally {
    clearTimeout(timer);
  }
}

async function main(): Promise<void> {
  const proxyPort = upWithProxy(dir, port, ['--down-after', String(DOWN_AFTER_MS)]);
  const forms: HaproxyForm[] = ['naive', 'tuned', 'hardened'];
  const haproxies = forms.map((form, i) => startHaproxy(dir, 17980 + 2 * i, form));
  const sentinels = [0, 1, 2].map((i) => {
    const s = new Redis({ port: port + 100 + i, connectTimeout: 1000 });
    s.on('error', () => undefined);
    return s;
  });
  const admin = new Redis({ port: port + 100, commandTimeout: 5000 });
  const writers: Record<Key, Writer> = {
    naive: new Writer(17980),
    tuned: new Writer(17982),
    hardened: new Writer(17984),
    quorum: new Writer(proxyPort),
  };
  let switchAt = 0;
  const results: CutoverRun[] = [];
  const failed: string[] = [];
  let facts = '';
  try {
    for (const s of sentinels) {
      await s.subscribe('+switch-master');
      s.on('message', () => {
        if (switchAt === 0) switchAt = Date.now();
      });
    }
    await firstWrites(writers);
    facts = haproxyFacts(haproxies[0]?.pid);
    for (let run = 1; run <= runs; run++) {
      await replicasReady(admin, 2);
      await sleep(1500);
      const [host, masterPort] = (await admin.call(
        'SENTINEL',
        'GET-MASTER-ADDR-BY-NAME',
        'mymaster',
      )) as [string, string];
      const master = `${host}:${masterPort}`;
      for (const w of Object.values(writers)) w.reset();
      switchAt = 0;
      const killedAt = killMaster(master);
      while (switchAt === 0 && Date.now() - killedAt < SWITCH_TIMEOUT_MS) await sleep(50);
      if (switchAt === 0) {
        failed.push(`run ${String(run)}: no +switch-master within ${String(SWITCH_TIMEOUT_MS)} ms`);
        process.stdout.write(`${failed.at(-1) ?? ''}\n`);
      } else {
        await sleep(SETTLE_MS);
        const back = (k: Key) => {
          const at = writers[k].backAt(killedAt);
          return at === null ? null : at - killedAt;
        };
        const row: CutoverRun = {
          run,
          switchMs: switchAt - killedAt,
          backMs: {
            naive: back('naive'),
            tuned: back('tuned'),
            hardened: back('hardened'),
            quorum: back('quorum'),
          },
        };
        results.push(row);
        process.stdout.write(
          `run ${String(run)}/${String(runs)}: +switch-master ${String(row.switchMs)} ms after the kill; writes again ${ENDPOINTS.map((e) => `${e.key} ${String(row.backMs[e.key] ?? 'never')}`).join(', ')} ms\n`,
        );
      }
      startAgain(master, run, failed);
    }
  } catch (err) {
    // what was measured so far is still written, with the reason the runs stopped
    if (!failed.some((f) => err instanceof Error && f === err.message))
      failed.push(`stopped: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    for (const w of Object.values(writers)) await w.stop();
    for (const s of [...sentinels, admin]) s.disconnect();
    for (const h of haproxies) h.kill('SIGTERM');
    quorum(['down', '--dir', dir, '--purge']);
    rmSync(dir, { recursive: true, force: true });
  }
  if (results.length === 0) throw new Error(`no run was measured:\n${failed.join('\n')}`);
  writeSection('Proxy cutover', section(results, failed, facts));
}

function section(results: CutoverRun[], failed: string[], facts: string): string {
  const ms = (v: number) => `${v.toFixed(0)} ms`;
  const switchMs = results.map((r) => r.switchMs);
  return [
    '## Proxy cutover',
    '',
    `A writer through each endpoint (SET every 5 ms, 1 s timeout, reconnecting at once), all four side by side in front of one deployment, each with an acknowledged write before the first run; the master's process killed with SIGKILL, down-after ${String(DOWN_AFTER_MS)} ms; ${String(runs)} runs asked. Measured from the kill: the earliest \`+switch-master\` any sentinel published, and when each writer had an acknowledged write again: the end of its stretch without one that is still open ${String(KILL_SETTLE_MS)} ms after the kill (by then no reply from the killed process can still arrive), that is from its last acknowledged write before that moment to its first one after. ${facts} (from \`haproxy -v\` and the running process) runs three configs: the usual one (\`quorum export haproxy --naive\`: role:master, \`check inter 1s\`, rise 2), the same tuned for speed, and \`quorum export haproxy\`'s hardened default (role:master and a quorum of sentinels naming the node, \`inter 1s fall 1 rise 1\`, \`on-marked-down shutdown-sessions\`). Sentinel publishes \`+switch-master\` only after it has promoted the replica, so a proxy that checks the nodes' roles often can take writes again before the switch is announced: a negative figure after \`+switch-master\` says so. A run with no \`+switch-master\` within ${String(SWITCH_TIMEOUT_MS / 1000)} s is a failed run, listed below and left out of the figures; "not back" counts runs in which a writer had no acknowledged write ${String(SETTLE_MS / 1000)} s after the switch, and such a run counts as never in that writer's medians and maximum, so every endpoint is judged over the same runs.`,
    '',
    '```sh',
    `npx tsx bench/proxy-cutover.ts --runs ${String(runs)}   # ${new Date().toISOString().slice(0, 10)}, 2 cores, loopback`,
    '```',
    '',
    `\`+switch-master\`: p50 ${ms(percentile(switchMs, 50))}, max ${ms(Math.max(...switchMs))} after the kill (${String(results.length)} runs with a failover).`,
    '',
    '| endpoint | writes again, p50 from the kill | p50 after +switch-master | max after +switch-master | not back |',
    '| --- | --- | --- | --- | --- |',
    ...ENDPOINTS.map((e) => cutoverRow(results, e.key)),
    '',
    cutoverVerdict(results, SETTLE_MS),
    '',
    failed.length === 0
      ? `Every run had a failover, and the killed master started again each time.`
      : `Failures: ${failed.join('; ')}.`,
    '',
  ].join('\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});

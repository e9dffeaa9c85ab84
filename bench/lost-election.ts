/**
 * Lost elections: how often a kill -9 of the master leaves the deployment without a new master
 * within down-after + 5 s, and how long those runs take to get one.
 *
 *   npx tsx bench/lost-election.ts [--runs 30] [--failover-timeout MS] [--busy N] [--fresh] [--split-votes]
 *
 * One local deployment (`quorum up`, 1 master, 2 replicas, 3 sentinels, down-after 2000 ms); per
 * run the master is killed with SIGKILL (seen by the supervisor as a crash), every sentinel's events are read
 * from its pub/sub channels, and the killed node is started again (`quorum node start`) once a
 * new master is agreed, and the deployment is healthy (`quorum status` exits 0) before the next
 * kill. A run with no new master within the wait counts as "no new master" (null) and is named;
 * the deployment is then brought back with `quorum failover` and `quorum node start`, and the bench
 * stops, still printing what it measured, only when that fails. Prints one line per run and a
 * summary; writes nothing to docs/ by itself (the figures are quoted, with this command, in
 * docs/benchmarks.md).
 *
 * `--split-votes` casts its votes at the kill, not at o_down as a real split vote would: a real
 * lost election costs about down-after plus the time to o_down more than the model's figure.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { DEFAULT_FAILOVER_TIMEOUT_MS } from '../src/local/index.js';
import { percentile } from './doc.js';
import { aboutKilledMaster, type SentinelMessage } from './election-events.js';
import { quorum, quorumError, sleep } from './setup.js';

function flag(name: string, fallback: string): string {
  const at = process.argv.indexOf(name);
  return at > 0 ? (process.argv[at + 1] ?? fallback) : fallback;
}

const runs = Number(flag('--runs', '30'));
const failoverTimeout = flag('--failover-timeout', '');
/** Processes that spin, to starve the sentinels as a busy machine does. */
const busy = Number(flag('--busy', '0'));
/** A new deployment for every run: the sentinels' timers start in step, as right after `up`. */
const fresh = process.argv.includes('--fresh');
/**
 * Right after the kill, a made-up candidate asks every sentinel for its vote in a new epoch, as
 * the winner of a split vote would: each votes for it and, like a sentinel that voted for
 * another, starts no failover of its own for 2 x failover-timeout. A model of a lost election's
 * cost (the retry delay) with the real Sentinel, since a real split vote is rare on this machine.
 */
const splitVotes = process.argv.includes('--split-votes');
const FAKE_RUN_ID = 'f'.repeat(40);
const DOWN_AFTER_MS = 2000;
const WINDOW_MS = DOWN_AFTER_MS + 5000;
const port = 18300;
const dir = mkdtempSync(join(tmpdir(), 'quorum-bench-election-'));

interface Run {
  /** From the kill to the first +switch-master; null when none came within the wait. */
  newMasterMs: number | null;
  /** Sentinels that aborted with -failover-abort-not-elected. */
  notElected: number;
  /** What had to be forced to bring the deployment back after the run, if anything. */
  recovered: string | null;
}

const EVENTS = ['+switch-master', '-failover-abort-not-elected'];

async function healthy(limitMs: number): Promise<void> {
  const until = Date.now() + limitMs;
  for (;;) {
    try {
      quorum(['status', '--dir', dir]);
      return;
    } catch (err) {
      if (Date.now() > until)
        throw new Error(`not healthy after ${String(limitMs)} ms: ${String(err)}`);
      await sleep(500);
    }
  }
}

/** The agreed master and its process id. */
function agreedMaster(): { addr: string; pid: number } {
  const status = JSON.parse(quorum(['status', '--json', '--dir', dir])) as {
    deployments: { master: string | null; nodes: { addr: string; pid?: number | null }[] }[];
  };
  const deployment = status.deployments[0];
  const addr = deployment?.master;
  const pid = deployment?.nodes.find((n) => n.addr === addr)?.pid;
  if (!addr || !pid) throw new Error('no agreed master with a running process');
  return { addr, pid };
}

/** A deployment under test and every sentinel's events about it. */
interface Lab {
  seen: (SentinelMessage & { at: number })[];
  sentinels: Redis[];
  close: () => void;
}

async function launch(): Promise<Lab> {
  const ft = failoverTimeout === '' ? [] : ['--failover-timeout', failoverTimeout];
  quorum([
    'up',
    '--detach',
    '--no-dashboard',
    '--no-proxy',
    '--dir',
    dir,
    '--port',
    String(port),
    '--sentinel-port',
    String(port + 100),
    '--down-after',
    String(DOWN_AFTER_MS),
    ...ft,
  ]);
  const sentinels = [0, 1, 2].map((i) => {
    const s = new Redis({ port: port + 100 + i, connectTimeout: 1000 });
    s.on('error', () => undefined);
    return s;
  });
  const seen: Lab['seen'] = [];
  for (const s of sentinels) {
    await s.subscribe(...EVENTS);
    s.on('message', (type: string, message: string) =>
      seen.push({ type, message, at: Date.now() }),
    );
  }
  await healthy(30_000);
  return { seen, sentinels, close: () => sentinels.forEach((s) => s.disconnect()) };
}

function teardown(lab: Lab | null): void {
  lab?.close();
  quorum(['down', '--dir', dir, '--purge']);
}

/**
 * Asks every sentinel for its vote for a made-up candidate about `master`, at once (the kill),
 * where a real candidate would ask only once the master is o_down.
 */
async function castVotes(master: string, epoch: number): Promise<void> {
  const [ip, masterPort] = master.split(':');
  await Promise.all(
    [0, 1, 2].map(async (i) => {
      const voter = new Redis({ port: port + 100 + i, connectTimeout: 1000, lazyConnect: true });
      try {
        await voter.connect();
        // the epoch only has to be newer than any the sentinels have seen
        await voter.call(
          'SENTINEL',
          'IS-MASTER-DOWN-BY-ADDR',
          ip ?? '',
          masterPort ?? '',
          String(Math.floor(epoch / 1000)),
          FAKE_RUN_ID,
        );
      } finally {
        voter.disconnect();
      }
    }),
  );
}

/**
 * Starts the killed master again; when no new master came, or the start is refused (a failover
 * still pending), forces one with `quorum failover` first. Says what was forced, or null; throws
 * when the deployment could not be brought back.
 */
async function bringBack(master: string, switched: boolean): Promise<string | null> {
  let forced: string | null = null;
  if (switched) {
    try {
      quorum(['node', 'start', master, '--dir', dir]);
    } catch (err) {
      forced = `\`quorum node start\` refused (${quorumError(err)}), then \`quorum failover\``;
    }
  } else {
    forced = 'no new master, `quorum failover`';
  }
  if (forced !== null) {
    try {
      quorum(['failover', '--dir', dir]);
      quorum(['node', 'start', master, '--dir', dir]);
    } catch (err) {
      throw new Error(
        `after ${forced}, the deployment could not be brought back: ${quorumError(err)}`,
      );
    }
  }
  await healthy(60_000);
  return forced;
}

/** One kill and what the sentinels did about it; `master` is the node killed. */
async function once(lab: Lab): Promise<{ master: string; run: Run }> {
  const { addr: master, pid } = agreedMaster();
  await sleep(100);
  lab.seen.length = 0;
  const killedAt = Date.now();
  // the supervisor sees an exit it did not ask for: a crash, as with 'quorum node kill'
  process.kill(pid, 'SIGKILL');
  if (splitVotes) await castVotes(master, killedAt);
  // only events about this master's failover count (an earlier run's late reports can still arrive)
  const about = (type: string) => (e: SentinelMessage) =>
    e.type === type && aboutKilledMaster(e, master);
  // an election lost is retried after 2 x failover-timeout: wait for that, and a margin
  const ft = failoverTimeout === '' ? DEFAULT_FAILOVER_TIMEOUT_MS : Number(failoverTimeout);
  const limit = killedAt + 2 * ft + 20_000;
  while (Date.now() < limit && !lab.seen.some(about('+switch-master'))) await sleep(50);
  const switched = lab.seen.find(about('+switch-master'));
  const notElected = lab.seen.filter(about('-failover-abort-not-elected')).length;
  return {
    master,
    run: { newMasterMs: switched ? switched.at - killedAt : null, notElected, recovered: null },
  };
}

async function main(): Promise<void> {
  const results: Run[] = [];
  const spinners = Array.from({ length: busy }, () =>
    spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }),
  );
  let lab: Lab | null = null;
  let stopped: string | null = null;
  try {
    for (let run = 1; run <= runs; run++) {
      if (!lab || fresh) {
        if (lab) teardown(lab);
        lab = await launch();
      }
      const { master, run: result } = await once(lab);
      results.push(result);
      try {
        result.recovered = await bringBack(master, result.newMasterMs !== null);
      } catch (err) {
        result.recovered = 'failed';
        throw err;
      } finally {
        // the run's figures are printed even when the bench stops after it
        process.stdout.write(
          `run ${String(run)}/${String(runs)}: new master after ${result.newMasterMs === null ? 'none within the wait' : `${String(result.newMasterMs)} ms`}; ${String(result.notElected)} sentinel(s) aborted not elected${result.recovered === null ? '' : `; brought back: ${result.recovered}`}\n`,
        );
      }
    }
  } catch (err) {
    // the runs measured so far are still summed up, with the reason the bench stopped
    stopped = err instanceof Error ? err.message : String(err);
  } finally {
    for (const spinner of spinners) spinner.kill('SIGKILL');
    teardown(lab);
    rmSync(dir, { recursive: true, force: true });
  }
  const none = results.filter((r) => r.newMasterMs === null).length;
  const forced = results.filter((r) => r.recovered !== null).length;
  const late = results.filter((r) => r.newMasterMs === null || r.newMasterMs > WINDOW_MS);
  const times = results.map((r) => r.newMasterMs ?? Infinity);
  process.stdout.write(
    [
      '',
      `failover-timeout ${failoverTimeout || "up's default"}, down-after ${String(DOWN_AFTER_MS)} ms, ${String(busy)} busy loop(s), ${fresh ? 'a fresh deployment per run' : 'one deployment'}${splitVotes ? ', votes split on purpose' : ''}, ${String(runs)} runs`,
      `no new master within ${String(WINDOW_MS)} ms of the kill: ${String(late.length)} of ${String(results.length)}`,
      `no new master within the wait (2 x failover-timeout + 20 s): ${String(none)} of ${String(results.length)}`,
      `runs after which the deployment had to be brought back by force: ${String(forced)}`,
      `runs with an election lost (-failover-abort-not-elected): ${String(results.filter((r) => r.notElected > 0).length)}`,
      `kill -> +switch-master: p50 ${String(percentile(times, 50))} ms, max ${String(Math.max(...times))} ms`,
      ...(stopped === null
        ? []
        : [`stopped after ${String(results.length)} of ${String(runs)} runs: ${stopped}`]),
      '',
    ].join('\n'),
  );
  if (stopped !== null) process.exitCode = 1;
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});

import type { Command } from 'commander';
import type { Addr } from '../model/index.js';
import { agreedMaster, UserError } from '../model/index.js';
import { safeSwitchover, sentinelFailover, switchoverParties } from '../sentinel/index.js';
import { DrillStore } from '../drill/index.js';
import { controlClient } from '../local/index.js';
import type { Observer } from '../observer/index.js';
import type { TargetOptions } from './target.js';
import { observeOnce, resolveTarget, targetOptions } from './target.js';

interface FailoverOptions extends TargetOptions {
  json?: boolean;
  waitMs: number;
}

/** How long `failover` waits for the sentinels to name a new master. */
const WAIT_MS = 60_000;

async function newMaster(observer: Observer, old: string, waitMs: number): Promise<Addr> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const master = agreedMaster(await observer.poll());
    if (master !== null && master !== old) return master;
    if (Date.now() > deadline)
      throw new UserError(
        `the sentinels still name ${old} after ${String(waitMs / 1000)} s; see 'quorum events' for what they did`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** `quorum failover` and `quorum switchover`: the two ways to move the master on purpose. */
export function registerFailover(program: Command): void {
  targetOptions(
    program
      .command('failover')
      .description(
        'SENTINEL FAILOVER, as redis-cli would: writes the old master takes until Sentinel demotes it (about 10 s) are lost; prefer switchover',
      ),
  )
    .option('--json', 'print { oldMaster, newMaster, ms }')
    .action(async (opts: FailoverOptions) => {
      await move(opts, 'failover');
    });
  targetOptions(
    program
      .command('switchover')
      .description(
        'move the master without losing acknowledged writes: pause writes, let replicas catch up, fail over, demote the old master at once',
      ),
  )
    .option('--json', 'print { oldMaster, newMaster, ms, pausedMs }')
    .action(async (opts: FailoverOptions) => {
      await move(opts, 'switchover');
    });
}

async function move(opts: FailoverOptions, how: 'failover' | 'switchover'): Promise<void> {
  const resolved = await resolveTarget(opts);
  const holder = resolved.dir === null ? null : new DrillStore(resolved.dir).running();
  if (holder) {
    throw new UserError(
      `a drill (${holder.what}) runs in process ${String(holder.pid)}; moving the master now would corrupt what it measures, so wait until it ends`,
    );
  }
  const { observer, topology } = await observeOnce(resolved, opts.timeout);
  const { target } = resolved;
  try {
    if (topology.kind !== 'sentinel' || target.kind !== 'sentinel')
      throw new UserError(
        `'${target.name}' is a Redis Cluster, which has no sentinels to move its master; promote a replica with 'quorum cluster failover NODE'`,
        2,
      );
    const parties = switchoverParties(topology);
    if (!parties) {
      throw new UserError(
        `the sentinels of '${target.name}' agree on no master, so there is nothing to move; see 'quorum status'`,
      );
    }
    const { master: old, sentinels } = parties;
    const started = Date.now();
    let pausedMs: number | null = null;
    let unsaved: string | null = null;
    let message: string;
    if (how === 'switchover') {
      const result = await safeSwitchover({
        masterName: target.masterName,
        ...parties,
        access: target.access,
        sentinelAccess: target.sentinelAccess,
        progress: (line) => {
          if (opts.json !== true) process.stderr.write(`${line}\n`);
        },
      });
      pausedMs = result.pausedMs;
      unsaved = result.unsaved;
      message = result.message;
    } else {
      const by = await sentinelFailover(sentinels, target.masterName, target.sentinelAccess);
      if (opts.json !== true)
        process.stderr.write(`asked sentinel ${by}; waiting for the switch\n`);
      const after = await newMaster(observer, old, WAIT_MS);
      message = `switched '${target.masterName}' from ${old} to ${after}; ${old} takes writes until Sentinel demotes it, and loses them then`;
    }
    const after = await newMaster(observer, old, 5000);
    const ms = Date.now() - started;
    const socket = resolved.local?.supervisor?.socket;
    if (socket) {
      await controlClient(socket)
        .record('quorum:action', message, { action: how, by: 'cli', outcome: 'ok' })
        .catch(() => undefined);
    }
    if (opts.json === true) {
      process.stdout.write(
        JSON.stringify({ oldMaster: old, newMaster: after, ms, pausedMs, unsaved }) + '\n',
      );
    } else {
      process.stdout.write(`${message} (${(ms / 1000).toFixed(2)} s)\n`);
    }
  } finally {
    await observer.stop();
  }
}

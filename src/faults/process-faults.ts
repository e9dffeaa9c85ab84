import type { Topology } from '../model/index.js';
import { agreedMaster } from '../model/index.js';
import type { Fault } from './fault.js';
import { act, later, masterProcess, sentinelProcesses, sleep, startEverything } from './fault.js';

/** SIGKILL the master, as a crash. */
export const killMaster: Fault = {
  needsProcesses: true,
  inject: (ctx) => act(ctx, 'kill', masterProcess(ctx).name),
  heal: startEverything,
};

/** SIGTERM the master: Redis waits for its replicas (shutdown-timeout) before it exits. */
export const stopMaster: Fault = {
  needsProcesses: true,
  inject: (ctx) => {
    const name = masterProcess(ctx).name;
    // the fault starts with the SIGTERM, not the exit: SHUTDOWN pauses writes from then on, and
    // the writes it drops unanswered are sent in between
    ctx.tookEffect();
    return act(ctx, 'stop', name);
  },
  heal: startEverything,
};

/** SIGSTOP the master; SIGCONT after `thawAfterMs`, or at heal when null. */
export function freezeMaster(thawAfterMs: (downAfterMs: number) => number | null): Fault {
  return {
    needsProcesses: true,
    async inject(ctx) {
      const m = masterProcess(ctx);
      const message = await act(ctx, 'freeze', m.name);
      const after = thawAfterMs(ctx.downAfterMs);
      if (after === null) return message;
      later(after, () => act(ctx, 'thaw', m.name));
      return `${message}; thawing it after ${after} ms`;
    },
    heal: startEverything,
  };
}

/** SIGKILL one replica. */
export const killReplica: Fault = {
  needsProcesses: true,
  async inject(ctx) {
    const replica = ctx.processes.find(
      (p) => p.kind === 'redis' && p.addr !== agreedMaster(ctx.before),
    );
    if (!replica) throw new Error('this deployment has no replica to kill');
    return act(ctx, 'kill', replica.name);
  },
  heal: startEverything,
};

/** SIGKILL `count(total)` sentinels, then the master. */
export function killSentinelsThenMaster(count: (total: number) => number): Fault {
  return {
    needsProcesses: true,
    async inject(ctx) {
      const all = sentinelProcesses(ctx);
      const done = [];
      for (const s of all.slice(0, count(all.length))) done.push(await act(ctx, 'kill', s.name));
      done.push(await act(ctx, 'kill', masterProcess(ctx).name));
      return done.join('; ');
    },
    heal: startEverything,
  };
}

/** SIGSTOP one sentinel for `ms`: past 2 s its clock seems to jump, so it enters TILT. */
export function freezeSentinel(ms: number): Fault {
  return {
    needsProcesses: true,
    async inject(ctx) {
      const s = sentinelProcesses(ctx)[0];
      if (!s) throw new Error('no sentinel to freeze');
      const message = await act(ctx, 'freeze', s.name);
      later(ms, () => act(ctx, 'thaw', s.name));
      return `${message}; thawing it after ${ms} ms`;
    },
    heal: startEverything,
  };
}

/** True once the sentinels agree on a master other than `old` and every other replica follows it. */
function failedOverFrom(t: Topology, old: string): boolean {
  const m = agreedMaster(t);
  if (m === null || m === old) return false;
  return t.nodes
    .filter((n) => n.addr !== m && n.addr !== old && n.up)
    .every((n) => n.role === 'replica' && n.replication.masterAddr === m && n.replication.linkUp);
}

/**
 * The split-brain case: SIGKILL the master, wait until the failover is complete (the sentinels
 * agree on a new master and the other replicas follow it), then start the old master again from
 * an empty data directory and a config without `replicaof`, as an orchestrator does that
 * restarts a crashed container on a fresh volume. Until Sentinel converts it
 * (+convert-to-slave, several seconds later), two nodes say `role:master`.
 */
export const restartOldMasterEmpty: Fault = {
  needsProcesses: true,
  async inject(ctx) {
    const m = masterProcess(ctx);
    const killed = await act(ctx, 'kill', m.name);
    ctx.tookEffect();
    const deadline = Date.now() + ctx.downAfterMs + 30_000;
    let t = await ctx.observe();
    while (!failedOverFrom(t, m.addr) && Date.now() < deadline) {
      if (ctx.signal.aborted) return `${killed}; interrupted before the failover`;
      await sleep(100);
      t = await ctx.observe();
    }
    if (!failedOverFrom(t, m.addr))
      return `${killed}; the failover did not complete, so it was not restarted empty`;
    const started = await act(ctx, 'start-empty-master', m.name);
    return `${killed}; the sentinels agreed on ${agreedMaster(t) ?? '?'}; ${started}`;
  },
  heal: startEverything,
};

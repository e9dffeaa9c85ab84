import type { Addr, Topology } from '../model/index.js';
import type { NodeController, ProcessInfo } from '../local/index.js';
import { RedisLink } from '../redis/index.js';

/** What a fault needs to act on a local deployment. */
export interface FaultContext {
  controller: NodeController;
  /** The topology when the drill started (healthy). */
  before: Topology;
  processes: ProcessInfo[];
  masterName: string;
  sentinelPassword: string | null;
  password: string | null;
  downAfterMs: number;
}

/** A fault: inject returns what it did; heal undoes whatever inject did (and is safe to repeat). */
export interface Fault {
  inject(ctx: FaultContext): Promise<string>;
  heal(ctx: FaultContext): Promise<string>;
}

export interface Scenario {
  name: string;
  description: string;
  /** Whether Sentinel should promote a replica. */
  expectFailover: boolean;
  /** Why not, when no failover is expected (said in the report). */
  noFailoverBecause?: string;
  /** Acknowledged writes this scenario may lose, per REFERENCE.md; null for "a few" (async replication). */
  maxAckedLost: number | null;
  fault: Fault;
}

function master(ctx: FaultContext): ProcessInfo {
  const addr = ctx.before.agreement.master;
  const proc = ctx.processes.find((p) => p.addr === addr);
  if (!proc) throw new Error(`the master ${addr ?? '(none)'} is not a process of this deployment`);
  return proc;
}

function sentinels(ctx: FaultContext): ProcessInfo[] {
  return ctx.processes.filter((p) => p.kind === 'sentinel');
}

async function act(
  ctx: FaultContext,
  action: 'start' | 'stop' | 'kill' | 'freeze' | 'thaw',
  target: string,
): Promise<string> {
  return ctx.controller.act(action, target, 'drill');
}

/** Starts every process that is not running (thawing frozen ones): the common heal. */
async function startEverything(ctx: FaultContext): Promise<string> {
  const done: string[] = [];
  for (const p of await ctx.controller.processes()) {
    if (p.state === 'frozen') done.push(await act(ctx, 'thaw', p.name));
    else if (p.state === 'stopped' || p.state === 'exited')
      done.push(await act(ctx, 'start', p.name));
  }
  return done.length > 0 ? done.join('; ') : 'nothing to heal';
}

function later(ms: number, work: () => Promise<unknown>): void {
  setTimeout(() => void work().catch(() => undefined), ms).unref();
}

async function onSentinel(ctx: FaultContext, command: string[]): Promise<string> {
  const failures: string[] = [];
  for (const s of sentinels(ctx)) {
    const link = new RedisLink(s.addr, {
      timeoutMs: 3000,
      password: ctx.sentinelPassword,
      connectionName: 'quorum-drill',
    });
    try {
      await link.call('SENTINEL', ...command);
      return `sent SENTINEL ${command.join(' ')} to ${s.addr}`;
    } catch (err) {
      failures.push(err instanceof Error ? err.message : String(err));
    } finally {
      await link.close();
    }
  }
  throw new Error(`no sentinel accepted SENTINEL ${command.join(' ')}: ${failures.join('; ')}`);
}

async function debugSleep(addr: Addr, password: string | null, seconds: number): Promise<void> {
  const link = new RedisLink(addr, {
    timeoutMs: seconds * 1000 + 5000,
    password,
    connectionName: 'quorum-drill',
  });
  link.call('DEBUG', 'SLEEP', String(seconds)).then(
    () => void link.close(),
    () => void link.close(),
  );
  await new Promise((r) => setTimeout(r, 100));
}

/** Kills `count` sentinels, then the master. */
function sentinelsThenMaster(count: (total: number) => number): Fault {
  return {
    async inject(ctx) {
      const victims = sentinels(ctx).slice(0, count(sentinels(ctx).length));
      const done = [];
      for (const s of victims) done.push(await act(ctx, 'kill', s.name));
      done.push(await act(ctx, 'kill', master(ctx).name));
      return done.join('; ');
    },
    heal: startEverything,
  };
}

/** The catalogue; the expectations come from Redis's own behaviour (see REFERENCE.md). */
export const SCENARIOS: Scenario[] = [
  {
    name: 'kill-master',
    description: 'SIGKILL the master, as a crash',
    expectFailover: true,
    maxAckedLost: null,
    fault: { inject: (ctx) => act(ctx, 'kill', master(ctx).name), heal: startEverything },
  },
  {
    name: 'stop-master',
    description: 'SIGTERM the master: it waits for its replicas before exiting',
    expectFailover: true,
    maxAckedLost: 0,
    fault: { inject: (ctx) => act(ctx, 'stop', master(ctx).name), heal: startEverything },
  },
  {
    name: 'manual-failover',
    description: 'SENTINEL FAILOVER: a switch "as if the master was not reachable"',
    expectFailover: true,
    // Sentinel leaves the old master running as a master with its clients connected: it keeps
    // acknowledging writes until Sentinel converts it (+convert-to-slave, about 10 s later here),
    // and those writes are lost when it resyncs. Measured, not assumed; Redis's own FAILOVER
    // command (which pauses writers first) is the zero-loss switch.
    maxAckedLost: null,
    fault: {
      inject: (ctx) => onSentinel(ctx, ['FAILOVER', ctx.masterName]),
      heal: () => Promise.resolve('nothing to heal'),
    },
  },
  {
    name: 'freeze-master-short',
    description: 'SIGSTOP the master for half of down-after, then SIGCONT',
    expectFailover: false,
    noFailoverBecause:
      'the master answers again before down-after, so no sentinel ever flags it s_down',
    maxAckedLost: 0,
    fault: {
      async inject(ctx) {
        const m = master(ctx);
        const message = await act(ctx, 'freeze', m.name);
        later(ctx.downAfterMs / 2, () => act(ctx, 'thaw', m.name));
        return `${message}; thawing it after ${ctx.downAfterMs / 2} ms`;
      },
      heal: startEverything,
    },
  },
  {
    name: 'freeze-master-long',
    description: 'SIGSTOP the master past down-after until a failover happened, then SIGCONT',
    expectFailover: true,
    maxAckedLost: null,
    fault: { inject: (ctx) => act(ctx, 'freeze', master(ctx).name), heal: startEverything },
  },
  {
    name: 'debug-sleep-master',
    description: 'DEBUG SLEEP on the master for twice down-after',
    expectFailover: true,
    maxAckedLost: null,
    fault: {
      async inject(ctx) {
        const seconds = Math.ceil((ctx.downAfterMs * 2) / 1000);
        await debugSleep(master(ctx).addr, ctx.password, seconds);
        return `DEBUG SLEEP ${seconds} on ${master(ctx).addr}`;
      },
      heal: () => Promise.resolve('the node wakes up by itself'),
    },
  },
  {
    name: 'kill-replica',
    description: 'SIGKILL one replica',
    expectFailover: false,
    noFailoverBecause: 'the master is fine; only a replica went away',
    maxAckedLost: 0,
    fault: {
      async inject(ctx) {
        const replica = ctx.processes.find(
          (p) => p.kind === 'redis' && p.addr !== ctx.before.agreement.master,
        );
        if (!replica) throw new Error('this deployment has no replica to kill');
        return act(ctx, 'kill', replica.name);
      },
      heal: startEverything,
    },
  },
  {
    name: 'kill-sentinel-minority',
    description: 'SIGKILL a minority of the sentinels, then the master',
    expectFailover: true,
    maxAckedLost: null,
    fault: sentinelsThenMaster((n) => Math.floor((n - 1) / 2)),
  },
  {
    name: 'kill-sentinel-majority',
    description: 'SIGKILL a majority of the sentinels, then the master',
    expectFailover: false,
    noFailoverBecause:
      'a failover must be authorized by a majority of all sentinels, and only a minority is left',
    maxAckedLost: null,
    fault: sentinelsThenMaster((n) => Math.floor(n / 2) + 1),
  },
  {
    name: 'freeze-sentinel',
    description: 'SIGSTOP one sentinel for 3 s: its clock jumps, so it enters TILT',
    expectFailover: false,
    noFailoverBecause: 'the master is fine; the frozen sentinel only goes into TILT for 30 s',
    maxAckedLost: 0,
    fault: {
      async inject(ctx) {
        const s = sentinels(ctx)[0];
        if (!s) throw new Error('no sentinel to freeze');
        const message = await act(ctx, 'freeze', s.name);
        later(3000, () => act(ctx, 'thaw', s.name));
        return `${message}; thawing it after 3000 ms`;
      },
      heal: startEverything,
    },
  },
];

export function scenarioNamed(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}

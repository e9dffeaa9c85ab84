import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { LostElection, Topology } from '../model/index.js';
import {
  agreedMaster,
  assertNever,
  describeLostElection,
  electionTimeoutMs,
  failoverPending,
  lostElection,
  parseAddr,
  UserError,
} from '../model/index.js';
import type { ProcessAction } from './control.js';
import type { SupervisorHost } from './host.js';
import type { SupervisedProcess } from './process.js';

/** How long after down-after a failover has surely started, if it can (Sentinel: 1 to 2.5 s). */
const FAILOVER_MARGIN_MS = 5_000;
/** How often a wait for the sentinels says where it stands. */
const PROGRESS_EVERY_MS = 5_000;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A cluster master that owns slots keeps them until a replica is elected (node timeout). */
async function waitForClusterFailover(
  host: SupervisorHost,
  addr: string,
  crashedAt: number,
  nodeTimeoutMs: number,
): Promise<void> {
  const owns = (t: Topology) =>
    t.kind === 'cluster' &&
    t.cluster.shards.some((s) => s.master === addr && s.slotCount > 0 && s.replicas.length > 0);
  const until = crashedAt + nodeTimeoutMs * 2 + FAILOVER_MARGIN_MS;
  while (Date.now() < until && owns(await host.observer.fresh())) await sleep(250);
}

/**
 * Waits while the sentinels still name `addr`, the old master, and can still replace it: some
 * sentinel flags it o_down or is failing it over (an election lost is retried 2 x
 * failover-timeout after it began). After a crash it also waits down-after plus a margin, for
 * the sentinels to notice. Returns when they named another master, or when no failover can
 * happen (too few sentinels, no replica): then the node may start as the master it still is.
 * Gives up, without starting it, when a failover stays pending past its last chance.
 */
async function waitForSentinels(
  host: SupervisorHost,
  addr: string,
  crashedAt: number | null,
  progress: (line: string) => void,
): Promise<void> {
  if (host.spec.mode !== 'sentinel') return;
  const { downAfterMs, failoverTimeoutMs } = host.spec;
  const began = crashedAt ?? Date.now();
  const noticed = crashedAt === null ? began : began + downAfterMs + FAILOVER_MARGIN_MS;
  // a start asked again later gets the whole window again
  const from = Math.max(noticed, Date.now());
  const lastChance = (lost: LostElection | null) =>
    Math.max(
      from + 2 * failoverTimeoutMs + electionTimeoutMs(failoverTimeoutMs),
      (lost?.nextAttemptAtMs ?? 0) + electionTimeoutMs(failoverTimeoutMs) + FAILOVER_MARGIN_MS,
    );
  let saidAt = 0;
  for (;;) {
    const topology = await host.observer.fresh();
    if (topology.kind !== 'sentinel' || topology.agreement.master !== addr) return;
    const now = Date.now();
    const pending = failoverPending(topology, addr);
    if (!pending && now >= noticed) return;
    const lost = lostElection(
      host.events().filter((e) => e.ms >= began),
      failoverTimeoutMs,
    );
    const waited = Math.round((now - began) / 1000);
    if (now >= lastChance(lost)) {
      throw new UserError(
        `not starting ${addr}: ${waited} s after it went down the sentinels still flag it o_down and name no new master, and started now it would be a master again with only its last saved data; run 'quorum failover' to force a failover, then start it`,
      );
    }
    if (pending && now - saidAt >= PROGRESS_EVERY_MS) {
      saidAt = now;
      progress(
        lost
          ? `waiting: ${describeLostElection(lost, now)}`
          : `waiting: the sentinels flag ${addr} o_down and can still replace it (${waited} s since it went down)`,
      );
    }
    await sleep(250);
  }
}

/**
 * A master that crashed comes back with whatever its last RDB holds; started as a master while
 * the sentinels still name it, its replicas would resync from it and lose every newer write.
 * So wait until the sentinels have failed over, or until no failover can happen any more.
 */
async function waitForFailoverOf(
  host: SupervisorHost,
  proc: SupervisedProcess,
  progress: (line: string) => void,
): Promise<void> {
  const addr = host.table.addrOf(proc);
  const crashedAt = proc.crashedAtMs;
  const hasReplicas = host.table.ofKind('redis').some((p) => p !== proc);
  if (!hasReplicas) return;
  const { spec } = host;
  switch (spec.mode) {
    case 'cluster':
      if (crashedAt !== null)
        await waitForClusterFailover(host, addr, crashedAt, spec.nodeTimeoutMs);
      return;
    case 'sentinel':
      return waitForSentinels(host, addr, crashedAt, progress);
    default:
      return assertNever(spec);
  }
}

/** Starts a data node as a replica of the agreed master unless it is that master (no split brain). */
export async function startNode(
  host: SupervisorHost,
  proc: SupervisedProcess,
  why: string,
  progress: (line: string) => void = () => undefined,
): Promise<string> {
  const addr = host.table.addrOf(proc);
  const state = proc.getState();
  if (state === 'running') return `${proc.plan.name} (${addr}) is already running`;
  if (state === 'frozen')
    throw new UserError(`${proc.plan.name} (${addr}) is frozen; thaw it instead of starting it`);
  let extra: string[] = [];
  let as = '';
  if (proc.plan.kind === 'redis') await waitForFailoverOf(host, proc, progress);
  // a cluster has no agreed master: its node rejoins from nodes.conf, and the cluster tells a
  // replaced master to follow its successor
  if (proc.plan.kind === 'redis' && host.spec.mode === 'sentinel') {
    const master = agreedMaster(await host.observer.fresh());
    const hp = master ? parseAddr(master) : null;
    if (master && hp && master !== addr) {
      extra = ['--replicaof', hp.host, String(hp.port)];
      as = ` as a replica of ${master}, the master the sentinels agree on`;
    }
  }
  await host.startAndAnswer(proc, extra);
  const message = `started ${proc.plan.name} (${addr})${as}`;
  host.observer.record('quorum:action', message, {
    action: 'start',
    name: proc.plan.name,
    addr,
    by: why,
    outcome: 'ok',
  });
  return message;
}

/**
 * The split-brain fault: starts a stopped data node from an empty data directory as a master,
 * as an orchestrator does that restarts it from a config without `replicaof` on a fresh disk.
 * Sentinel converts it to a replica a few seconds later; until then it accepts writes.
 */
async function startEmptyMaster(
  host: SupervisorHost,
  proc: SupervisedProcess,
  actor: string,
): Promise<string> {
  const addr = host.table.addrOf(proc);
  if (proc.plan.kind !== 'redis')
    throw new UserError(`${proc.plan.name} (${addr}) is a sentinel, not a data node`);
  if (host.spec.mode === 'cluster')
    throw new UserError(
      `starting an empty master is a Sentinel fault; a cluster node started empty would join as a new node, not as ${proc.plan.name}`,
    );
  if (proc.getState() !== 'stopped' && proc.getState() !== 'exited')
    throw new UserError(
      `${proc.plan.name} (${addr}) is ${proc.getState()}; stop or kill it before starting it empty`,
    );
  rmSync(join(proc.dir, 'dump.rdb'), { force: true });
  rmSync(join(proc.dir, 'appendonlydir'), { recursive: true, force: true });
  await host.startAndAnswer(proc, ['--replicaof', 'no', 'one']);
  const message = `started ${proc.plan.name} (${addr}) from an empty data directory as a master`;
  host.observer.record('quorum:action', message, {
    action: 'start-empty-master',
    name: proc.plan.name,
    addr,
    by: actor,
    outcome: 'ok',
  });
  return message;
}

/**
 * Acts on one process (the caller holds the supervisor's lock); returns a sentence saying what
 * happened, which is also what the event log records.
 */
export async function runNodeAction(
  host: SupervisorHost,
  action: ProcessAction,
  target: string,
  actor: string,
  progress?: (line: string) => void,
): Promise<string> {
  const proc = host.table.resolve(target);
  const addr = host.table.addrOf(proc);
  const name = proc.plan.name;
  const record = (message: string) => {
    host.observer.record('quorum:action', message, {
      action,
      name,
      addr,
      by: actor,
      outcome: 'ok',
    });
    return message;
  };
  switch (action) {
    case 'start':
      return startNode(host, proc, actor, progress);
    case 'stop':
      if (!proc.pid) return `${name} (${addr}) is not running`;
      await proc.stop();
      host.persist();
      return record(`stopped ${name} (${addr}) with SIGTERM`);
    case 'kill':
      if (!proc.pid) return `${name} (${addr}) is not running`;
      await proc.kill();
      host.persist();
      return record(`killed ${name} (${addr}) with SIGKILL`);
    case 'restart': {
      const wasRunning = proc.pid !== null;
      // on a process that is not running this only marks an exit as asked for, so a pending
      // autorestart leaves it alone
      await proc.stop();
      if (wasRunning) record(`stopped ${name} (${addr}) for a restart`);
      const started = await startNode(host, proc, actor, progress);
      return wasRunning ? started : `${started} (it was not running)`;
    }
    case 'freeze':
      if (proc.getState() !== 'running')
        return `${name} (${addr}) is ${proc.getState()}, not running`;
      proc.freeze();
      return record(`froze ${name} (${addr}) with SIGSTOP`);
    case 'thaw':
      if (proc.getState() !== 'frozen') return `${name} (${addr}) is not frozen`;
      proc.thaw();
      return record(`thawed ${name} (${addr}) with SIGCONT`);
    case 'start-empty-master':
      return startEmptyMaster(host, proc, actor);
    default:
      return assertNever(action);
  }
}

import { rmSync } from 'node:fs';
import type { Logger } from 'pino';
import { join } from 'node:path';
import { agreedMaster, assertNever, parseAddr, UserError } from '../model/index.js';
import type { ProcessAction } from './control.js';
import { waitForFailoverOf } from './failover-wait.js';
import type { SupervisorHost } from './host.js';
import type { SupervisedProcess } from './process.js';

/** Starts a data node as a replica of the agreed master unless it is that master (no split brain). */
async function startNode(
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
 * Autorestart: starts a crashed process again (the caller holds the supervisor's lock). A start
 * that is refused (a failover still pending) is logged and written to the event log.
 */
export async function restartCrashed(
  host: SupervisorHost,
  proc: SupervisedProcess,
  log: Logger,
): Promise<void> {
  const name = proc.plan.name;
  try {
    await startNode(host, proc, 'autorestart');
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    log.warn({ process: name, err: reason }, 'autorestart failed');
    host.observer.record('quorum:action', `autorestart of ${name} failed: ${reason}`, {
      action: 'start',
      name,
      addr: host.table.addrOf(proc),
      by: 'autorestart',
      outcome: 'failed',
    });
  }
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

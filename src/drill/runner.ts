import type { Expectation, QuorumEvent, Topology } from '../model/index.js';
import { agreedMaster, healthProblems, UserError } from '../model/index.js';
import type { FaultContext } from '../faults/index.js';
import type { NodeController } from '../local/index.js';
import type { Observer } from '../observer/index.js';
import { RedisLink } from '../redis/index.js';
import type { LossReport, NodeAccount, Series } from './checker.js';
import { availability, checkWrites, writeSeries, writesByNode } from './checker.js';
import type { ClusterFacts } from './cluster-checker.js';
import type { Scenario } from './scenarios.js';
import type { Via, WorkloadOptions } from './workload.js';
import { DEFAULT_WORKLOAD, Workload } from './workload.js';
import { NetnsWorkload } from './netns-workload.js';
import type { NetworkFaults } from '../faults/index.js';
import { netnsName } from '../local/index.js';
import { interrupted, isAborted, pause, sleep, waitFor } from './timing.js';
import { healFault, liveTicker, markedEvents } from './run-steps.js';

export { interrupted } from './timing.js';

/** One run of one scenario; times are ms after the fault (DESIGN.md §3). */
export interface DrillRun extends LossReport {
  /** When the fault was injected (ms since epoch). */
  faultAtMs: number;
  sdownMs: number | null;
  odownMs: number | null;
  /** The earliest +switch-master across sentinels; null when no failover happened. */
  switchMasterMs: number | null;
  firstWriteMs: number | null;
  writeUnavailableMs: number;
  /** Where the longest window without writes starts, ms after the fault. */
  writeUnavailableFromMs: number;
  readUnavailableMs: number;
  /** When every replica followed the new master with its link up. */
  replicasFollowMs: number | null;
  oldMaster: string | null;
  newMaster: string | null;
  failover: boolean;
  /** Replicas hold the same number of values as the final master. */
  replicasConverged: boolean;
  /** How long more than one data node said `role:master` (as the observer saw it), in total. */
  twoMastersMs: number;
  /** The master's `min-replicas-to-write` when the drill started; null when CONFIG is refused. */
  minReplicasToWrite: number | null;
  /** How the writers found the master; `cluster`: a cluster client (ioredis Cluster). */
  via: RunVia;
  /** Expectations this run broke, one sentence each; empty when it behaved as Redis should. */
  violations: string[];
  injected: string;
  healed: string;
  /** Writes per 250 ms from the start of the workload, for the report's chart. */
  series: Series;
  /** Sentinel events during the run that matter to a failover, ms after the fault. */
  events: { type: string; ms: number; message: string }[];
  /** Acknowledged writes per node that answered them, and how many of those were lost. */
  byNode: NodeAccount[];
  /** The client namespace the writers ran in (a lab's side of the partition); null on the host. */
  writersIn: string | null;
  /** When the fault was healed, ms after it. */
  healMs: number | null;
  /** A Redis Cluster run's own figures (per shard, cluster_state:fail, a reshard); absent for Sentinel. */
  cluster?: ClusterFacts | null;
}

/** How a run's writers found the master: a Sentinel way (`Via`), or a cluster client. */
export type RunVia = Via | 'cluster';

/** The events the report marks on its chart. */
const MARKED = new Set([
  '+sdown',
  '+odown',
  '+try-failover',
  '+elected-leader',
  '+promoted-slave',
  '+switch-master',
  '+failover-end',
  '+convert-to-slave',
  '+tilt',
  '-tilt',
  '-failover-abort-not-elected',
  '-failover-abort-no-good-slave',
]);

/** What a drill in progress looks like, for a live chart. */
export interface LiveRun {
  phase: 'warming up' | 'fault injected' | 'healing' | 'checking';
  startedAtMs: number;
  /** Null until the fault is injected; the chart's times are relative to it (or to now). */
  faultAtMs: number | null;
  series: Series;
  events: DrillRun['events'];
}

export interface RunOptions {
  scenario: Scenario;
  observer: Observer;
  /** The local supervisor; null for an attached deployment (command faults only). */
  controller: NodeController | null;
  /** Writes a `quorum:` event to the deployment's timeline. */
  record: (type: string, message: string, detail: Record<string, string>) => Promise<void>;
  expect: Expectation;
  workload: Omit<WorkloadOptions, 'key' | 'via' | 'nodes' | 'proxy'>;
  /** quorum's proxy in front of the deployment, for `via: 'proxy'`. */
  proxy: { write: string; read: string } | null;
  /** How writers find the master; the scenario's own choice when absent. */
  via?: Via;
  /** Called about twice a second while the run goes on. */
  onLive?: (live: LiveRun) => void;
  password: string | null;
  downAfterMs: number;
  /** Progress lines for a person. */
  progress: (line: string) => void;
  /** Aborted by Ctrl-C: heal and stop. */
  signal: AbortSignal;
  /** The lab's network faults; null on loopback or for an attached deployment. */
  network: NetworkFaults | null;
}

const WARMUP_MS = 1500;
const HEALTHY_TIMEOUT_MS = 60_000;
/** How long a drill waits for a healthy deployment before it refuses to start. */
const SETTLE_TIMEOUT_MS = 10_000;

/** Waits until the deployment is healthy; throws the problems when it does not get there. */
export async function waitHealthy(
  observer: Observer,
  expect: Expectation,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<Topology> {
  let problems: string[] = [];
  const topology = await waitFor(timeoutMs, signal, async () => {
    const t = await observer.fresh();
    problems = healthProblems(t, expect);
    return problems.length === 0 ? t : undefined;
  });
  if (signal.aborted) throw interrupted();
  if (!topology) throw new UserError(`the deployment is not healthy: ${problems.join('; ')}`);
  return topology;
}

/**
 * After the heal: waits for health even when the drill was interrupted (it leaves the deployment
 * as it found it); a failure names the failed heal too.
 */
export function waitHealthyAfterHeal(
  observer: Observer,
  expect: Expectation,
  timeoutMs: number,
  healError: string | null,
): Promise<Topology> {
  return waitHealthy(observer, expect, timeoutMs, new AbortController().signal).catch(
    (err: unknown) => {
      const why = err instanceof Error ? err.message : String(err);
      throw new UserError(healError === null ? why : `${why}; healing failed: ${healError}`);
    },
  );
}

/** The values in the set on the final master, and whether every replica holds as many. */
async function readBack(
  topology: Topology,
  key: string,
  password: string | null,
): Promise<{ present: Set<string>; converged: boolean }> {
  const master = agreedMaster(topology);
  if (!master) throw new Error('no agreed master to read the values back from');
  const link = (addr: string) =>
    new RedisLink(addr, { timeoutMs: 10_000, password, connectionName: 'quorum-drill' });
  const m = link(master);
  try {
    const members = await m.call('SMEMBERS', key);
    const present = new Set(
      Array.isArray(members) ? members.filter((v): v is string => typeof v === 'string') : [],
    );
    let converged = true;
    for (const replica of topology.nodes.filter((n) => n.addr !== master)) {
      const r = link(replica.addr);
      try {
        const ok = await waitFor(10_000, new AbortController().signal, async () =>
          (await r.call('SCARD', key).catch(() => -1)) === present.size ? true : undefined,
        );
        if (!ok) converged = false;
      } finally {
        await r.close();
      }
    }
    await m.call('DEL', key).catch(() => undefined);
    return { present, converged };
  } finally {
    await m.close();
  }
}

function firstAfter(
  events: QuorumEvent[],
  type: string,
  faultAtMs: number,
  match: (e: QuorumEvent) => boolean = () => true,
): number | null {
  const e = events.find((x) => x.type === type && x.ms >= faultAtMs && match(x));
  return e ? e.ms - faultAtMs : null;
}

/** The master's `min-replicas-to-write`, or null when CONFIG GET is refused (renamed, ACL). */
async function minReplicasToWrite(master: string, password: string | null): Promise<number | null> {
  const link = new RedisLink(master, { timeoutMs: 3000, password, connectionName: 'quorum-drill' });
  try {
    const reply = await link.call('CONFIG', 'GET', 'min-replicas-to-write');
    const value = Array.isArray(reply) ? Number(reply[1]) : NaN;
    return Number.isFinite(value) ? value : null;
  } catch {
    return null;
  } finally {
    await link.close();
  }
}

/** Adds up the time during which more than one data node said `role:master`. */
class MasterClaims {
  private since: number | null = null;
  private total = 0;

  see(topology: Topology): void {
    const masters = topology.nodes.filter((n) => n.up && n.role === 'master').length;
    const t = topology.observedAtMs;
    if (masters > 1 && this.since === null) this.since = t;
    if (masters <= 1 && this.since !== null) {
      this.total += t - this.since;
      this.since = null;
    }
  }

  totalMs(nowMs: number): number {
    return this.total + (this.since === null ? 0 : nowMs - this.since);
  }
}

/**
 * Runs one scenario: workload, fault, measurements, heal, read-back. The deployment must be
 * healthy before, and is healthy again after (or the run throws saying why).
 */
export async function runScenario(options: RunOptions): Promise<DrillRun> {
  const { scenario, observer, controller, signal, network } = options;
  if (scenario.fault.needsLab === true && !network) {
    throw new UserError(
      `the scenario ${scenario.name} cuts the network between processes, which needs a lab deployment: start one with 'quorum up --network lab'`,
      2,
    );
  }
  if (scenario.fault.needsProcesses && !controller) {
    throw new UserError(
      `the scenario ${scenario.name} acts on processes, which only a local deployment's supervisor can do; pick one of the scenarios 'quorum drill list' marks as remote`,
      2,
    );
  }
  // a deployment just moved (a switchover, the run before) settles in a few seconds
  const before = await waitHealthy(observer, options.expect, SETTLE_TIMEOUT_MS, signal);
  const oldMaster = agreedMaster(before);
  const processes = controller ? await controller.processes() : [];
  const key = `quorum:drill:${Date.now().toString(36)}`;
  const events: QuorumEvent[] = [];
  const onEvent = (e: QuorumEvent) => events.push(e);
  const claims = new MasterClaims();
  const onTopology = (t: Topology) => claims.see(t);
  observer.bus.on('event', onEvent);
  observer.bus.on('topology', onTopology);
  const via = options.via ?? scenario.via ?? 'sentinel';
  const workloadOptions = {
    ...options.workload,
    key,
    via,
    nodes: before.nodes.map((n) => n.addr),
    proxy: options.proxy,
  };
  // on a lab the writers sit on the side of the partition the scenario puts them on
  const writersIn = network && scenario.writersIn ? scenario.writersIn : null;
  const workload =
    network && writersIn
      ? new NetnsWorkload(netnsName(network.lab.plan, writersIn), {
          kind: 'sentinel',
          options: workloadOptions,
        })
      : new Workload(workloadOptions);
  let injected = '';
  let healed = '';
  let faultAtMs = 0;
  let replicasFollowMs: number | null = null;
  let endMs = 0;
  const startedAtMs = Date.now();
  let phase: LiveRun['phase'] = 'warming up';
  let healError: string | null = null;
  let healAtMs = 0;
  const ctx: FaultContext = {
    controller,
    before,
    processes,
    network,
    masterName: observer.target.masterName,
    sentinelPassword: observer.target.sentinelPassword,
    password: options.password,
    downAfterMs: options.downAfterMs,
    tookEffect: () => {
      if (faultAtMs !== 0) return;
      faultAtMs = Date.now();
      phase = 'fault injected';
    },
    observe: () => observer.fresh(),
    signal,
  };
  const minReplicas = oldMaster ? await minReplicasToWrite(oldMaster, options.password) : null;
  const stopLive = liveTicker(options.onLive, {
    startedAtMs,
    writes: workload.ledger.writes,
    events,
    marks: MARKED,
    now: () => ({ phase, faultAtMs }),
  });
  try {
    try {
      await workload.start();
      await pause(WARMUP_MS, signal);
      if (signal.aborted) throw interrupted();
      options.progress(`${scenario.name}: injecting (${scenario.description})`);
      injected = await scenario.fault.inject(ctx);
      // the fault counts from when it took effect (a kill returns once the process is gone), so a
      // write the old master answered just before it died is not taken for a recovered one
      if (faultAtMs === 0) faultAtMs = Date.now();
      phase = 'fault injected';
      await options.record('quorum:fault-injected', `drill ${scenario.name}: ${injected}`, {
        scenario: scenario.name,
      });
      const hold = scenario.holdMs?.(options.downAfterMs);
      // a failover takes down-after plus a few seconds; give it room, then look once more
      const window = options.downAfterMs + 20_000;
      // a held fault (a partition) stays its time whatever happens: the old master may stay
      // master on its side, so replicas following the new one are not waited for
      const follow =
        hold !== undefined
          ? undefined
          : await waitFor(
              scenario.expectFailover ? window : options.downAfterMs + 4000,
              signal,
              async () => {
                // every observation also reaches `claims` through the bus
                const t = await observer.fresh();
                const m = agreedMaster(t);
                if (!m || m === oldMaster) return undefined;
                const replicas = t.nodes.filter((n) => n.addr !== m && n.up);
                return replicas.every(
                  (n) =>
                    n.role === 'replica' && n.replication.masterAddr === m && n.replication.linkUp,
                )
                  ? Date.now()
                  : undefined;
              },
            );
      replicasFollowMs = follow === undefined ? null : follow - faultAtMs;
      if (hold !== undefined) await pause(Math.max(0, faultAtMs + hold - Date.now()), signal);
      else if (!scenario.expectFailover)
        await pause(Math.max(0, faultAtMs + options.downAfterMs + 4000 - Date.now()), signal);
      options.progress(`${scenario.name}: healing`);
    } finally {
      phase = 'healing';
      healAtMs = Date.now();
      ({ healed, error: healError } = await healFault(scenario, ctx, options));
    }
    // a short cut must not lead to a failover later either: watch until it would have shown
    if (!scenario.expectFailover && scenario.holdMs)
      await pause(Math.max(0, faultAtMs + options.downAfterMs + 4000 - Date.now()), signal);
    let after: Topology;
    try {
      // healed, so wait for health even when interrupted: the drill leaves it as it found it
      after = await waitHealthyAfterHeal(observer, options.expect, HEALTHY_TIMEOUT_MS, healError);
      await sleep(1000);
    } finally {
      endMs = Date.now();
      phase = 'checking';
      await workload.stop();
    }
    const { present, converged } = await readBack(after, key, options.password);
    // an interrupted run measured only part of what it should: it is not a result
    if (isAborted(signal)) throw interrupted();
    const loss = checkWrites(workload.ledger.writes, present);
    const byNode = writesByNode(workload.ledger.writes, present);
    const isOldMaster = (e: QuorumEvent) =>
      e.subject?.type === 'master' && e.subject.addr === oldMaster;
    const newMaster = agreedMaster(after);
    const run: DrillRun = {
      faultAtMs,
      sdownMs: firstAfter(events, '+sdown', faultAtMs, isOldMaster),
      odownMs: firstAfter(events, '+odown', faultAtMs, isOldMaster),
      switchMasterMs: firstAfter(events, '+switch-master', faultAtMs),
      ...availability(workload.ledger.writes, workload.ledger.reads, faultAtMs, endMs),
      replicasFollowMs,
      oldMaster,
      newMaster,
      failover: newMaster !== oldMaster,
      replicasConverged: converged,
      twoMastersMs: claims.totalMs(endMs),
      minReplicasToWrite: minReplicas,
      via,
      ...loss,
      violations: [],
      injected,
      healed,
      series: writeSeries(workload.ledger.writes, faultAtMs, startedAtMs, endMs),
      events: markedEvents(events, MARKED, startedAtMs, faultAtMs),
      byNode,
      writersIn,
      // the heal ran (finally above); a fault that never took effect has no span
      healMs: faultAtMs === 0 ? null : healAtMs - faultAtMs,
    };
    run.violations = violations(scenario, run, options.downAfterMs, options.workload.rate);
    return run;
  } finally {
    // a fault that could not be injected leaves the writers running: stop them in any case
    await workload.stop();
    stopLive();
    observer.bus.off('event', onEvent);
    observer.bus.off('topology', onTopology);
  }
}

/** The loss bound that applies to this run: the scenario's, or its safe-preset one. */
export function lossBound(
  scenario: Scenario,
  run: Pick<DrillRun, 'minReplicasToWrite'>,
  ratePerS: number = DEFAULT_WORKLOAD.rate,
): number | null {
  const safe = (run.minReplicasToWrite ?? 0) >= 1;
  const bound = scenario.maxAckedLostSafe;
  if (!safe || bound === undefined) return scenario.maxAckedLost;
  return typeof bound === 'function' ? bound(ratePerS) : bound;
}

/** Where a run differs from what Redis should do (REFERENCE.md), one sentence each (pure). */
export function violations(
  scenario: Scenario,
  run: DrillRun,
  downAfterMs: number,
  ratePerS: number = DEFAULT_WORKLOAD.rate,
): string[] {
  const found: string[] = [];
  if (scenario.expectFailover && run.switchMasterMs === null)
    found.push('no failover happened, though one was expected');
  if (!scenario.expectFailover && run.switchMasterMs !== null)
    found.push(
      `a failover happened, though none was expected (${scenario.noFailoverBecause ?? ''})`,
    );
  const bound = lossBound(scenario, run, ratePerS);
  if (bound !== null && run.ackedLost > bound)
    found.push(`${run.ackedLost} acknowledged writes were lost; at most ${bound} expected`);
  if (!run.replicasConverged) found.push('the replicas did not converge on the final master');
  if (run.failedPresent > 0)
    found.push(`${run.failedPresent} writes reported as failed are present`);
  // crash detection takes down-after, then the vote and promotion 1 to 2.5 s (plus slack)
  if (
    scenario.name === 'kill-master' &&
    run.switchMasterMs !== null &&
    run.switchMasterMs > downAfterMs + 4000
  ) {
    found.push(`the failover took ${run.switchMasterMs} ms, more than down-after + 4 s`);
  }
  return found;
}

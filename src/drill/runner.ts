import type { Access } from '../redis/index.js';
import type { QuorumEvent, Topology } from '../model/index.js';
import { agreedMaster } from '../model/index.js';
import { netnsName } from '../local/index.js';
import type { Observer } from '../observer/index.js';
import { RedisLink, stringsReply } from '../redis/index.js';
import { availability } from './checker.js';
import type { DrillAdapter, EngineOptions, PreparedRun } from './engine.js';
import { DrillEngine } from './engine.js';
import { NetnsWriters } from './netns-workload.js';
import { pause, waitFor } from './timing.js';
import type { DrillRun, SentinelRun } from './types.js';
import type { Via, WorkloadOptions } from './workload.js';
import { sentinelWriters } from './workload.js';
import { exemptedIn, violations } from './verdict.js';
import { sentinelDeviations } from '../model/deviation.js';

export { interrupted } from './timing.js';

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

export interface RunOptions extends EngineOptions {
  observer: Observer;
  workload: Omit<WorkloadOptions, 'key' | 'via' | 'nodes' | 'proxy'>;
  /** quorum's proxy in front of the deployment, for `via: 'proxy'`. */
  proxy: { write: string; read: string } | null;
  /** How writers find the master; the scenario's own choice when absent. */
  via?: Via;
  downAfterMs: number;
}

const HEALTHY_TIMEOUT_MS = 60_000;

/** The values in the set on the final master, and whether every replica holds as many. */
async function readBack(
  topology: Topology,
  key: string,
  access: Access,
  keep: boolean,
): Promise<{ present: Set<string>; converged: boolean }> {
  const master = agreedMaster(topology);
  if (!master) throw new Error('no agreed master to read the values back from');
  const link = (addr: string) =>
    new RedisLink(addr, { timeoutMs: 10_000, access, connectionName: 'quorum-drill' });
  const m = link(master);
  try {
    // a reply of another shape must fail the check, not count every write as lost
    const present = new Set(stringsReply('SMEMBERS', await m.call('SMEMBERS', key)));
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
    if (!keep) await m.call('DEL', key).catch(() => undefined);
    return { present, converged };
  } finally {
    await m.close();
  }
}

function firstAfter(
  events: readonly QuorumEvent[],
  type: string,
  faultAtMs: number,
  match: (e: QuorumEvent) => boolean = () => true,
): number | null {
  const e = events.find((x) => x.type === type && x.ms >= faultAtMs && match(x));
  return e ? e.ms - faultAtMs : null;
}

/** The master's `min-replicas-to-write`, or null when CONFIG GET is refused (renamed, ACL). */
async function minReplicasToWrite(master: string, access: Access): Promise<number | null> {
  const link = new RedisLink(master, { timeoutMs: 3000, access, connectionName: 'quorum-drill' });
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

/** What a Sentinel run does its own way: ioredis writers, the sentinels' events, one set. */
function sentinelAdapter(
  options: RunOptions,
): DrillAdapter<{ present: Set<string>; converged: boolean }> {
  const { scenario, network, downAfterMs } = options;
  return {
    labCommand: 'quorum up --network lab',
    processesHint: "; pick one of the scenarios 'quorum drill list' marks as remote",
    marks: MARKED,
    async prepare(before) {
      const oldMaster = agreedMaster(before);
      const key = `quorum:drill:${Date.now().toString(36)}`;
      const via = options.via ?? scenario.via ?? 'sentinel';
      const workload = {
        ...options.workload,
        key,
        via,
        nodes: before.nodes.map((n) => n.addr),
        proxy: options.proxy,
      };
      // on a lab the writers sit on the side of the partition the scenario puts them on
      const writersIn = network && scenario.writersIn ? scenario.writersIn : null;
      const writers =
        network && writersIn
          ? new NetnsWriters(netnsName(network.lab.plan, writersIn), {
              kind: 'sentinel',
              options: workload,
            })
          : sentinelWriters(workload);
      const minReplicas = oldMaster ? await minReplicasToWrite(oldMaster, options.access) : null;
      const claims = new MasterClaims();
      const hold = scenario.holdMs?.(downAfterMs);
      let replicasFollowMs: number | null = null;
      const prepared: PreparedRun<{ present: Set<string>; converged: boolean }> = {
        writers,
        writersIn,
        context: {
          masterName: options.workload.masterName,
          sentinelAccess: options.workload.sentinelAccess,
          downAfterMs,
        },
        onTopology: (t) => claims.see(t),
        async awaitOutcome(faultAtMs, signal) {
          // a held fault (a partition) stays its time whatever happens: the old master may stay
          // master on its side, so replicas following the new one are not waited for
          if (hold !== undefined) {
            await pause(Math.max(0, faultAtMs + hold - Date.now()), signal);
            return;
          }
          // a failover takes down-after plus a few seconds; give it room, then look once more
          const window = scenario.expectFailover ? downAfterMs + 20_000 : downAfterMs + 4000;
          const follow = await waitFor(window, signal, () =>
            replicasFollow(options.observer, oldMaster),
          );
          replicasFollowMs = follow === undefined ? null : follow - faultAtMs;
          if (!scenario.expectFailover)
            await pause(Math.max(0, faultAtMs + downAfterMs + 4000 - Date.now()), signal);
        },
        async afterHeal(faultAtMs, signal) {
          // a short cut must not lead to a failover later either: watch until it would have shown
          if (!scenario.expectFailover && scenario.holdMs)
            await pause(Math.max(0, faultAtMs + downAfterMs + 4000 - Date.now()), signal);
        },
        healthyTimeoutMs: HEALTHY_TIMEOUT_MS,
        readBack: (after) => readBack(after, key, options.access, options.ledgerFile !== undefined),
        judge(read, m) {
          const { faultAtMs, events } = m;
          const isOldMaster = (e: QuorumEvent) =>
            e.subject?.type === 'master' && e.subject.addr === oldMaster;
          const newMaster = agreedMaster(m.after);
          const run: SentinelRun = {
            kind: 'sentinel',
            ...m.common,
            sdownMs: firstAfter(events, '+sdown', faultAtMs, isOldMaster),
            odownMs: firstAfter(events, '+odown', faultAtMs, isOldMaster),
            switchMasterMs: firstAfter(events, '+switch-master', faultAtMs),
            ...availability(m.writes, m.reads, faultAtMs, m.endMs),
            replicasFollowMs,
            oldMaster,
            newMaster,
            failover: newMaster !== oldMaster,
            replicasConverged: read.converged,
            twoMastersMs: claims.totalMs(m.endMs),
            minReplicasToWrite: minReplicas,
            via,
            unansweredExempted: 0,
          };
          const timeouts =
            m.after.kind === 'sentinel' ? m.after.sentinels.map((s) => s.failoverTimeoutMs) : [];
          const failoverTimeoutMs = Math.max(0, ...timeouts.filter((t) => t !== null)) || null;
          run.violations = violations(
            scenario,
            run,
            downAfterMs,
            options.workload,
            failoverTimeoutMs,
          );
          run.deviations = sentinelDeviations(scenario, run, downAfterMs);
          run.unansweredExempted = exemptedIn(scenario, run, options.workload);
          return run;
        },
      };
      return prepared;
    },
  };
}

/** Now, once every replica up follows a new master with its link up; else undefined. */
async function replicasFollow(
  observer: Observer,
  oldMaster: string | null,
): Promise<number | undefined> {
  const t = await observer.fresh();
  const m = agreedMaster(t);
  if (!m || m === oldMaster) return undefined;
  const replicas = t.nodes.filter((n) => n.addr !== m && n.up);
  return replicas.every(
    (n) => n.role === 'replica' && n.replication.masterAddr === m && n.replication.linkUp,
  )
    ? Date.now()
    : undefined;
}

/**
 * Runs one Sentinel scenario: writers that find the master as applications do, the fault, the
 * timings from the sentinels' events, heal, read-back. The deployment must be healthy before,
 * and is healthy again after (or the run throws saying why).
 */
export function runScenario(options: RunOptions): Promise<DrillRun> {
  return new DrillEngine(options, sentinelAdapter(options)).run();
}

import type { Addr, ClusterState, QuorumEvent } from '../model/index.js';
import { clusterOf, UserError } from '../model/index.js';
import type { FaultFacts } from '../faults/index.js';
import { victimShard } from '../faults/index.js';
import { netnsName } from '../local/index.js';
import { availability } from './checker.js';
import type { ClusterFacts } from './types.js';
import {
  ackedBy,
  changedSlots,
  clusterFailSpan,
  clusterViolations,
  promotedIn,
  shardAccounts,
  slotMasters,
  unavailableMs,
} from './cluster-checker.js';
import {
  BUCKET_COUNT,
  ClusterWriters,
  drillBuckets,
  dropKeys,
  readBackClient,
  readSets,
} from './cluster-workload.js';
import type { DrillAdapter, EngineOptions, Measured } from './engine.js';
import { DrillEngine } from './engine.js';
import { configOf, flag, masters, replicasConverged } from './cluster-probe.js';
import { NetnsWriters } from './netns-workload.js';
import { pause, waitFor } from './timing.js';
import type { ClusterRun, DrillRun } from './types.js';
import { clusterDeviations } from '../model/deviation.js';

export interface ClusterRunOptions extends EngineOptions {
  workload: { writers: number; rate: number; readers: number; timeoutMs: number };
  /** `cluster-node-timeout`, when the nodes refuse CONFIG GET. */
  nodeTimeoutMs: number;
}

/** quorum's own cluster events the report marks on its chart. */
const MARKED = new Set([
  'quorum:node-pfail',
  'quorum:node-fail',
  'quorum:cluster-failover',
  'quorum:slots-moved',
  'quorum:cluster-state',
  'quorum:node-fail-cleared',
]);

const HEALTHY_TIMEOUT_MS = 60_000;
/** Once the cluster stopped serving, how long the fault stays, so the chart shows it. */
const HOLD_DOWN_MS = 3000;

function firstAfter(
  events: readonly QuorumEvent[],
  type: string,
  faultAtMs: number,
  match: (e: QuorumEvent) => boolean,
): QuorumEvent | null {
  return events.find((e) => e.type === type && e.ms >= faultAtMs && match(e)) ?? null;
}

/** What a cluster run reads back: the values, whether replicas caught up, the slot map after. */
interface ClusterReadBack {
  present: Set<string>;
  converged: boolean;
  cluster: ClusterState;
}

/** What a cluster run does its own way: a cluster client over every shard, quorum's cluster events. */
function clusterAdapter(options: ClusterRunOptions): DrillAdapter<ClusterReadBack> {
  const { scenario, observer, access, network } = options;
  return {
    labCommand: 'quorum up --mode cluster --network lab',
    processesHint: '',
    marks: MARKED,
    async prepare(before, signal) {
      if (before.kind !== 'cluster')
        throw new UserError(
          `${scenario.name} is a drill for a Redis Cluster; '${before.name}' is not one`,
          2,
        );
      const victim = victimShard(before.cluster);
      const firstSlot = victim?.slots[0]?.[0] ?? 0;
      const config = victim?.master
        ? await configOf(victim.master, access, [
            'cluster-node-timeout',
            'appendonly',
            'cluster-require-full-coverage',
            'min-replicas-to-write',
          ])
        : {};
      const nodeTimeoutMs = Number(config['cluster-node-timeout']) || options.nodeTimeoutMs;
      const ownersBefore = slotMasters(before.cluster);
      const buckets = drillBuckets(
        `quorum:drill:${Date.now().toString(36)}`,
        BUCKET_COUNT,
        (slot) => ownersBefore[slot] ?? null,
      );
      const workload = { seeds: masters(before.cluster), access, ...options.workload, buckets };
      // on a lab the writers sit on the side of the partition the scenario puts them on
      const writersIn = network && scenario.writersIn ? scenario.writersIn : null;
      const writers =
        network && writersIn
          ? new NetnsWriters(netnsName(network.lab.plan, writersIn), {
              kind: 'cluster',
              options: workload,
            })
          : new ClusterWriters(workload);
      const replicaIds = new Set(victim?.replicas.map((r) => r.id) ?? []);
      let promotedAt: number | null = null;
      const facts: FaultFacts = {};
      const shardAddr = () => facts.shard ?? victim?.master ?? null;
      const hold = scenario.holdMs?.(nodeTimeoutMs);
      return {
        writers,
        writersIn,
        context: {
          masterName: before.name,
          sentinelAccess: access,
          downAfterMs: nodeTimeoutMs,
          note: (more) => Object.assign(facts, more),
          progress: (line) => options.progress(`${scenario.name}: ${line}`),
        },
        // every observation, the runner's own and the observer's polls, reaches this through the bus
        onTopology(t, faultAtMs) {
          if (faultAtMs === 0 || promotedAt !== null || t.kind !== 'cluster') return;
          if (promotedIn(t.cluster.views, firstSlot, replicaIds) !== null)
            promotedAt = t.observedAtMs;
        },
        async awaitOutcome(faultAtMs) {
          if (hold !== undefined) {
            // a held fault (a partition) stays its time whatever happens: the old master may
            // still claim its slots on its side, so the cluster is not waited on
            await pause(Math.max(0, faultAtMs + hold - Date.now()), signal);
          } else if (scenario.expectFailover) {
            // FAIL needs a majority of masters within 2 x node-timeout, then the replica's election
            await waitFor(2 * nodeTimeoutMs + 20_000, signal, async () => {
              const c = clusterOf(await observer.fresh());
              const owner = c ? (slotMasters(c)[firstSlot] ?? null) : null;
              return owner !== null && owner !== shardAddr() && c?.state === 'ok'
                ? true
                : undefined;
            });
          } else if (scenario.clusterDown === true) {
            const down = await waitFor(2 * nodeTimeoutMs + 10_000, signal, async () =>
              clusterOf(await observer.fresh())?.state === 'fail' ? true : undefined,
            );
            if (down) await pause(HOLD_DOWN_MS, signal);
          } else {
            // a planned change: watch a little longer for anything it set off
            await pause(1000, signal);
          }
        },
        healthyTimeoutMs: HEALTHY_TIMEOUT_MS + 2 * nodeTimeoutMs,
        async readBack(after) {
          if (after.kind !== 'cluster')
            throw new UserError(
              `after healing, '${after.name}' no longer looked like a Redis Cluster, so the drill cannot read its writes back; check it with quorum status`,
            );
          const keys = buckets.map((b) => b.key);
          const client = readBackClient(masters(after.cluster), access);
          try {
            const present = await readSets(client, keys);
            const converged = await replicasConverged(after.cluster, buckets, access, signal);
            if (options.ledgerFile === undefined) await dropKeys(client, keys);
            return { present, converged, cluster: after.cluster };
          } finally {
            client.disconnect();
          }
        },
        judge(read, m) {
          const oldMaster = shardAddr();
          const ownersAfter = slotMasters(read.cluster);
          const changed = changedSlots(ownersBefore, ownersAfter);
          const shardSlots = new Set<number>();
          for (const [a, b] of victim?.slots ?? []) for (let s = a; s <= b; s++) shardSlots.add(s);
          // the figures are about the slots that changed owner (a failover, a reshard), else the
          // shard's
          const affected = changed.size > 0 ? changed : shardSlots;
          const run = clusterRun(m, read, {
            affected,
            oldMaster,
            promotedAt,
            nodeTimeoutMs,
            config,
            facts,
            ownersBefore,
            ownersAfter,
            firstSlot,
          });
          run.violations = clusterViolations(scenario, run, options.workload.rate);
          run.deviations = clusterDeviations(scenario, run, nodeTimeoutMs);
          return run;
        },
      };
    },
  };
}

/** A cluster run's timings and figures from what the engine measured and the run kept. */
function clusterRun(
  m: Measured,
  read: ClusterReadBack,
  kept: {
    affected: Set<number>;
    oldMaster: Addr | null;
    promotedAt: number | null;
    nodeTimeoutMs: number;
    config: Record<string, string>;
    facts: FaultFacts;
    ownersBefore: (Addr | null)[];
    ownersAfter: (Addr | null)[];
    firstSlot: number;
  },
): ClusterRun {
  const { faultAtMs, endMs, events, writes } = m;
  const { affected, oldMaster, config } = kept;
  const inAffected = (w: { slot?: number }) => w.slot !== undefined && affected.has(w.slot);
  const mine = affected.size > 0 ? writes.filter(inAffected) : writes;
  const failoverEvent = firstAfter(
    events,
    'quorum:cluster-failover',
    faultAtMs,
    (e) => e.detail.from === oldMaster,
  );
  // the first node to name the new master, else quorum's event (when the slot map most nodes
  // share changed)
  const seen = [kept.promotedAt, failoverEvent?.ms ?? null].filter((t): t is number => t !== null);
  const switchAt = seen.length > 0 ? Math.min(...seen) : null;
  const span = clusterFailSpan(events, faultAtMs, endMs);
  const cluster: ClusterFacts = {
    nodeTimeoutMs: kept.nodeTimeoutMs,
    shard: oldMaster,
    slots: affected.size,
    otherShardsUnavailableMs: unavailableMs(
      writes.filter((w) => !inAffected(w)),
      faultAtMs,
      endMs,
    ),
    clusterFailMs: span.totalMs,
    clusterFailFromMs: span.fromMs,
    shards: shardAccounts(
      writes,
      read.present,
      kept.ownersBefore,
      kept.ownersAfter,
      faultAtMs,
      endMs,
    ),
    reshard: kept.facts.reshard ?? null,
    appendonly: flag(config.appendonly),
    fullCoverage: flag(config['cluster-require-full-coverage']),
    oldMasterAfterFault: oldMaster ? ackedBy(writes, read.present, oldMaster, faultAtMs) : null,
  };
  const onShard = (e: QuorumEvent) => e.detail.addr === oldMaster;
  const at = (e: QuorumEvent | null) => (e ? e.ms - faultAtMs : null);
  const minReplicas = config['min-replicas-to-write'];
  return {
    kind: 'cluster',
    ...m.common,
    pfailMs: at(firstAfter(events, 'quorum:node-pfail', faultAtMs, onShard)),
    failMs: at(firstAfter(events, 'quorum:node-fail', faultAtMs, onShard)),
    promotedMs: switchAt === null ? null : switchAt - faultAtMs,
    ...availability(mine, m.reads, faultAtMs, endMs),
    replicasFollowMs: null,
    oldMaster,
    newMaster: switchAt === null ? oldMaster : (kept.ownersAfter[kept.firstSlot] ?? null),
    failover: switchAt !== null,
    replicasConverged: read.converged,
    twoMastersMs: 0,
    minReplicasToWrite: minReplicas === undefined ? null : Number(minReplicas),
    unansweredExempted: 0,
    via: 'cluster',
    cluster,
  };
}

/**
 * Runs one cluster scenario: writers through a cluster client over every shard, the fault, the
 * timings from quorum's cluster events, heal, and the read-back of every value through the
 * cluster. The cluster must be healthy before, and is healthy again after (or the run throws).
 */
export function runClusterScenario(options: ClusterRunOptions): Promise<DrillRun> {
  return new DrillEngine(options, clusterAdapter(options)).run();
}

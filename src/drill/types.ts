import { assertNever } from '../model/index.js';
import type { LossReport, NodeAccount, Series } from './checker.js';
import type { Fault, ReshardFacts } from '../faults/index.js';
import type { Addr } from '../model/index.js';
import type { Via } from './workload.js';

/** How a run's writers found the master: a Sentinel way (`Via`), or a cluster client. */
export type RunVia = Via | 'cluster';

/** What every run measured, Sentinel or Cluster; times are ms after the fault. */
export interface RunCommon extends LossReport {
  /** When the fault was injected (ms since epoch). */
  faultAtMs: number;
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
  /** Expectations this run broke, one sentence each; empty when it behaved as Redis should. */
  violations: string[];
  /** Where it was within Redis's rules but outside the usual range (src/model/deviation.ts). */
  deviations: string[];
  /**
   * Missing, never-answered writes sent after the fault that the scenario excused (stop-master),
   * up to its cap; 0 where none may be; null in runs kept before it was counted.
   */
  unansweredExempted: number | null;
  injected: string;
  healed: string;
  /** Writes per 250 ms from the start of the workload, for the report's chart. */
  series: Series;
  /** The events during the run that matter to a failover, ms after the fault. */
  events: { type: string; ms: number; message: string }[];
  /** Acknowledged writes per node that answered them, and how many of those were lost. */
  byNode: NodeAccount[];
  /** The client namespace the writers ran in (a lab's side of the partition); null on the host. */
  writersIn: string | null;
  /** When the fault was healed, ms after it. */
  healMs: number | null;
}

/** A Sentinel run's timings: the sentinels' own events about the old master. */
export interface SentinelTiming {
  kind: 'sentinel';
  sdownMs: number | null;
  odownMs: number | null;
  /** The earliest +switch-master across sentinels; null when no failover happened. */
  switchMasterMs: number | null;
  /** How the writers found the master. */
  via: Via;
  cluster?: null;
}

/** A Redis Cluster run's timings: quorum's cluster events about the shard's old master. */
export interface ClusterTiming {
  kind: 'cluster';
  /** The first node that flagged the old master PFAIL. */
  pfailMs: number | null;
  /** The old master flagged FAIL (a majority of masters agreed). */
  failMs: number | null;
  /** The first node that named a replica of the shard master of its slots; null when none did. */
  promotedMs: number | null;
  /** The writers were a cluster client (ioredis Cluster). */
  via: 'cluster';
  /** Per shard, cluster_state:fail, a reshard. */
  cluster: ClusterFacts;
}

export type SentinelRun = RunCommon & SentinelTiming;
export type ClusterRun = RunCommon & ClusterTiming;

/** One run of one scenario; its timing part is the deployment kind's own. */
export type DrillRun = SentinelRun | ClusterRun;

/** When the new master took over, ms after the fault: +switch-master, or the promotion (pure). */
export function takeoverMs(run: DrillRun): number | null {
  switch (run.kind) {
    case 'sentinel':
      return run.switchMasterMs;
    case 'cluster':
      return run.promotedMs;
    default:
      return assertNever(run);
  }
}

/**
 * Where a drill run is. A run goes settling -> warming-up -> fault-injected -> healing ->
 * checking -> done; `failed` and `stopped` (interrupted, after the heal) end it early.
 */
export type DrillPhase =
  | 'settling'
  | 'warming-up'
  | 'fault-injected'
  | 'healing'
  | 'checking'
  | 'done'
  | 'failed'
  | 'stopped';

/** The phases a live chart shows while a run goes on; how a plan of runs ends is its caller's. */
export type LivePhase = Exclude<DrillPhase, 'done' | 'failed' | 'stopped'>;

/** What a drill in progress looks like, for a live chart. */
export interface LiveRun {
  phase: LivePhase;
  startedAtMs: number;
  /** Null until the fault is injected; the chart's times are relative to it (or to now). */
  faultAtMs: number | null;
  series: Series;
  events: DrillRun['events'];
}

/** The deployments a scenario runs on: Sentinel's, or a Redis Cluster. */
export type ScenarioKind = 'sentinel' | 'cluster';

export interface Scenario {
  name: string;
  kind: ScenarioKind;
  description: string;
  /** Whether Sentinel should promote a replica. */
  expectFailover: boolean;
  /** Why not, when no failover is expected (said in the report). */
  noFailoverBecause?: string;
  /** Acknowledged writes this scenario may lose, per the Redis replication docs; null for "some" (async replication). */
  maxAckedLost: number | null;
  /** The same with `min-replicas-to-write` of 1 or more on the master (preset safe), or a bound from the write rate. */
  maxAckedLostSafe?: number | ((ratePerS: number) => number);
  /**
   * Why a write with no answer may be missing though the scenario loses nothing, when Redis drops
   * some unapplied and unanswered; absent: a zero-loss scenario must miss no indeterminate write.
   */
  unansweredMayVanish?: string;
  /** What Redis's docs say about lost writes, for the report. */
  lossExpected: string;
  lossExpectedSafe?: string;
  /** How this scenario's writers find the master, unless the drill says otherwise. */
  via?: Via;
  /** On a lab: the client namespace the writers run in (the side of the partition they are on). */
  writersIn?: string;
  /** How long the fault stays before it is healed, whatever happens meanwhile; from down-after. */
  holdMs?: (downAfterMs: number) => number;
  /** Cluster: acknowledged writes it may lose, as a span (ms, from node-timeout) of the shard's writes. */
  lossWindowMs?: (nodeTimeoutMs: number) => number;
  /** Cluster: whether the whole cluster stops serving (cluster_state:fail) while the fault lasts. */
  clusterDown?: boolean;
  fault: Fault;
}

/** One shard's writes in a cluster drill, named by its master when the drill started. */
export interface ShardAccount {
  shard: Addr;
  /** The master that owns most of those slots at the end (another node after a failover). */
  masterAfter: Addr | null;
  /** Slots the shard owned when the drill started. */
  slots: number;
  attempted: number;
  acknowledged: number;
  failed: number;
  indeterminate: number;
  ackedLost: number;
  /** The longest window after the fault without an acknowledged write to the shard's keys. */
  writeUnavailableMs: number;
}

/** Writes one node acknowledged, and how many of them were lost. */
export interface NodeAcks {
  acknowledged: number;
  lost: number;
}

/** What a cluster run measured beyond the fields every drill run has. */
export interface ClusterFacts {
  /** `cluster-node-timeout` of the nodes (what down-after is to Sentinel). */
  nodeTimeoutMs: number;
  /** The master, when the drill started, of the shard the fault hit; null if it named none. */
  shard: Addr | null;
  /** The slots the run's main figures are about: those that changed owner, else the shard's. */
  slots: number;
  /** The longest window after the fault without an acknowledged write to any other key. */
  otherShardsUnavailableMs: number;
  /** How long, in total after the fault, some node said cluster_state:fail. */
  clusterFailMs: number;
  /** When that first happened, ms after the fault; null when it did not. */
  clusterFailFromMs: number | null;
  shards: ShardAccount[];
  reshard: ReshardFacts | null;
  /** AOF on the shard's master (preset safe turns it on); null when CONFIG is refused. */
  appendonly: boolean | null;
  /** `cluster-require-full-coverage` (quorum's default: yes); null when CONFIG is refused. */
  fullCoverage: boolean | null;
  /** What the shard's old master acknowledged after the fault (a partition's minority side). */
  oldMasterAfterFault: NodeAcks | null;
}

import type { Scenario, ScenarioKind } from './types.js';
import { CLUSTER_SCENARIOS } from './cluster-scenarios.js';
import {
  debugSleepMaster,
  freezeMaster,
  freezeSentinel,
  isolateMaster,
  killMaster,
  MAJORITY_SIDE_CLIENT,
  MASTER_SIDE_CLIENT,
  partitionMinorityMaster,
  partitionSentinels,
  killReplica,
  killSentinelsThenMaster,
  pausedSwitchover,
  restartOldMasterEmpty,
  sentinelFailover,
  stopMaster,
} from '../faults/index.js';

/**
 * With min-replicas-to-write, an isolated master stops acknowledging writes once its replicas'
 * last ACK is older than min-replicas-max-lag (10 s in preset safe): about that long of writes
 * can be lost, at the drill's rate, plus 2 s for the master to notice.
 */
const SAFE_LAG_S = 10;
export function safeWindowLoss(ratePerS: number): number {
  return Math.ceil(ratePerS * (SAFE_LAG_S + 2));
}

/** The Sentinel catalogue; the expectations come from Redis's own behaviour (the Redis Sentinel and replication docs). */
const SENTINEL_SCENARIOS: Scenario[] = [
  {
    name: 'kill-master',
    kind: 'sentinel',
    description: 'SIGKILL the master, as a crash',
    expectFailover: true,
    maxAckedLost: null,
    lossExpected: 'a few at most (the replication window)',
    fault: killMaster,
  },
  {
    name: 'stop-master',
    kind: 'sentinel',
    description: 'SIGTERM the master: it waits for its replicas before exiting',
    expectFailover: true,
    maxAckedLost: 0,
    // measured: about 12 writes per run, sent while the master shut down, never answered and
    // missing; none acknowledged late (a late OK that went missing is still a violation); only
    // those sent after the fault are excused, up to `unansweredCap` (verdict.ts)
    unansweredMayVanish:
      'SHUTDOWN pauses writers while the replicas catch up, then exits without running or answering the paused writes',
    lossExpected: 'none: a SIGTERMed master waits for its replicas',
    fault: stopMaster,
  },
  {
    name: 'manual-failover',
    kind: 'sentinel',
    description: 'SENTINEL FAILOVER: a switch "as if the master was not reachable"',
    expectFailover: true,
    // Sentinel leaves the old master running as a master with its clients connected: it keeps
    // acknowledging writes until Sentinel converts it (+convert-to-slave, about 10 s later here),
    // and those writes are lost when it resyncs. Measured, not assumed; Redis's own FAILOVER
    // command (which pauses writers first) is the zero-loss switch.
    maxAckedLost: null,
    lossExpected: 'whatever the old master accepted until +convert-to-slave',
    fault: sentinelFailover,
  },
  {
    name: 'switchover',
    kind: 'sentinel',
    description:
      "quorum's switchover: pause writes, let the replicas catch up, SENTINEL FAILOVER, demote the old master at once",
    expectFailover: true,
    maxAckedLost: 0,
    // the switch closes the old master's connections (CLIENT KILL) while their writes wait in
    // the pause; ioredis sends them again to the new master, so none may be missing
    lossExpected:
      'none: writes wait in the pause, and the old master is demoted before it takes more',
    fault: pausedSwitchover,
  },
  {
    name: 'freeze-master-short',
    kind: 'sentinel',
    description: 'SIGSTOP the master for half of down-after, then SIGCONT',
    expectFailover: false,
    noFailoverBecause:
      'the master answers again before down-after, so no sentinel ever flags it s_down',
    maxAckedLost: 0,
    lossExpected: 'none',
    fault: freezeMaster((downAfterMs) => downAfterMs / 2),
  },
  {
    name: 'freeze-master-long',
    kind: 'sentinel',
    description: 'SIGSTOP the master past down-after until a failover happened, then SIGCONT',
    expectFailover: true,
    maxAckedLost: null,
    lossExpected: 'whatever the old master accepted after it woke, until +convert-to-slave',
    fault: freezeMaster(() => null),
  },
  {
    name: 'debug-sleep-master',
    kind: 'sentinel',
    description: 'DEBUG SLEEP on the master for twice down-after',
    expectFailover: true,
    maxAckedLost: null,
    lossExpected: 'whatever the old master accepted after it woke, until +convert-to-slave',
    fault: debugSleepMaster((downAfterMs) => Math.ceil((downAfterMs * 2) / 1000)),
  },
  {
    name: 'kill-replica',
    kind: 'sentinel',
    description: 'SIGKILL one replica',
    expectFailover: false,
    noFailoverBecause: 'the master is fine; only a replica went away',
    maxAckedLost: 0,
    lossExpected: 'none',
    fault: killReplica,
  },
  {
    name: 'kill-sentinel-minority',
    kind: 'sentinel',
    description: 'SIGKILL a minority of the sentinels, then the master',
    expectFailover: true,
    maxAckedLost: null,
    lossExpected: 'a few at most (the replication window)',
    fault: killSentinelsThenMaster((n) => Math.floor((n - 1) / 2)),
  },
  {
    name: 'kill-sentinel-majority',
    kind: 'sentinel',
    description: 'SIGKILL a majority of the sentinels, then the master',
    expectFailover: false,
    noFailoverBecause:
      'a failover must be authorized by a majority of all sentinels, and only a minority is left',
    maxAckedLost: null,
    lossExpected: 'what the master wrote since its last RDB save, as it restarts from that',
    fault: killSentinelsThenMaster((n) => Math.floor(n / 2) + 1),
  },
  {
    name: 'freeze-sentinel',
    kind: 'sentinel',
    description: 'SIGSTOP one sentinel for 3 s: its clock jumps, so it enters TILT',
    expectFailover: false,
    noFailoverBecause: 'the master is fine; the frozen sentinel only goes into TILT for 30 s',
    maxAckedLost: 0,
    lossExpected: 'none',
    fault: freezeSentinel(3000),
  },
  {
    name: 'split-brain-restart',
    kind: 'sentinel',
    description:
      'SIGKILL the master; once a replica is promoted, restart the old one empty as a master (no replicaof, fresh disk); writers route by a role:master health check, as behind HAProxy',
    expectFailover: true,
    maxAckedLost: null,
    // the kill itself may lose its replication window (a handful); the empty master, with no
    // replica, must take nothing
    maxAckedLostSafe: 20,
    lossExpected:
      'everything the empty old master acknowledged until +convert-to-slave: it passes a role:master check',
    lossExpectedSafe:
      "the kill's replication window at most (a few): with min-replicas-to-write the empty master, which has no replica, refuses every write",
    via: 'role-check',
    fault: restartOldMasterEmpty,
  },
  {
    name: 'partition-minority-master',
    kind: 'sentinel',
    description:
      'network partition (lab): the master, a minority of the sentinels and the writers on one side, the replicas and the majority of the sentinels on the other, for down-after + 15 s',
    expectFailover: true,
    maxAckedLost: null,
    maxAckedLostSafe: safeWindowLoss,
    lossExpected:
      'everything the old master acknowledged on its side after the partition: it stays master there until the heal demotes it (Jepsen measured 56% of acknowledged writes lost this way)',
    lossExpectedSafe:
      'about min-replicas-max-lag (10 s) of writes: then the isolated master refuses writes (NOREPLICAS)',
    writersIn: MASTER_SIDE_CLIENT,
    holdMs: (downAfterMs) => downAfterMs + 15_000,
    fault: partitionMinorityMaster,
  },
  {
    name: 'partition-sentinels',
    kind: 'sentinel',
    description:
      'network partition (lab): every sentinel cut from every other, for down-after + 5 s',
    expectFailover: false,
    noFailoverBecause:
      'the sentinels lose each other, not the master: none sees it down, and none could gather a quorum',
    maxAckedLost: 0,
    lossExpected: 'none: the data nodes and the writers are untouched',
    writersIn: MAJORITY_SIDE_CLIENT,
    holdMs: (downAfterMs) => downAfterMs + 5000,
    fault: partitionSentinels,
  },
  {
    name: 'isolate-master-short',
    kind: 'sentinel',
    description:
      'network partition (lab): the master and the writers cut from everything else for half of down-after',
    expectFailover: false,
    noFailoverBecause: 'the master is back before down-after, so no sentinel flags it s_down',
    maxAckedLost: 0,
    lossExpected: 'none: the master kept its data and its replicas catch up',
    writersIn: MASTER_SIDE_CLIENT,
    holdMs: (downAfterMs) => downAfterMs / 2,
    fault: isolateMaster,
  },
  {
    name: 'isolate-master-long',
    kind: 'sentinel',
    description:
      'network partition (lab): the master and the writers cut from everything else for down-after + 15 s',
    expectFailover: true,
    maxAckedLost: null,
    maxAckedLostSafe: safeWindowLoss,
    lossExpected:
      "everything the old master acknowledged on its side: it rejoins as a replica on heal and its side's writes are gone",
    lossExpectedSafe: 'about min-replicas-max-lag (10 s) of writes, then NOREPLICAS',
    writersIn: MASTER_SIDE_CLIENT,
    holdMs: (downAfterMs) => downAfterMs + 15_000,
    fault: isolateMaster,
  },
];

/** Every scenario, Sentinel's then the cluster's; `kind` says which deployments each is for. */
export const SCENARIOS: Scenario[] = [...SENTINEL_SCENARIOS, ...CLUSTER_SCENARIOS];

export function scenarioNamed(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}

/** The scenarios that run on a deployment of this kind. */
export function scenariosFor(kind: ScenarioKind): Scenario[] {
  return SCENARIOS.filter((s) => s.kind === kind);
}

/** Why `scenario` cannot run on `deployment` (of `kind`), in one sentence; null when it can. */
export function kindRefusal(
  scenario: Scenario,
  kind: ScenarioKind,
  deployment: string,
): string | null {
  if (scenario.kind === kind) return null;
  const what = (k: ScenarioKind) => (k === 'cluster' ? 'a Redis Cluster' : 'a Sentinel deployment');
  return `${scenario.name} is a drill for ${what(scenario.kind)} and '${deployment}' is ${what(kind)}; run one of: ${scenariosFor(
    kind,
  )
    .map((s) => s.name)
    .join(', ')}`;
}

import type { Stats } from './checker.js';
import { stats } from './checker.js';
import { clusterSafe } from './cluster-checker.js';
import { assertNever } from '../model/index.js';
import type { ClusterRun, DrillRun, SentinelRun } from './types.js';
import { takeoverMs } from './types.js';
import type { Scenario, ScenarioKind } from './types.js';
import { scenarioNamed } from './scenarios.js';
import { outside, usualPromotionMs, usualSwitchMs } from '../model/deviation.js';

/** What Redis's docs say about lost writes in this scenario, given the run's preset. */
function lossText(name: string, run: DrillRun): string {
  const scenario = scenarioNamed(name);
  if (!scenario) return '-';
  const safe =
    run.kind === 'cluster' ? clusterSafe(run.cluster) : (run.minReplicasToWrite ?? 0) >= 1;
  return safe && scenario.lossExpectedSafe !== undefined
    ? scenario.lossExpectedSafe
    : scenario.lossExpected;
}

/** One scenario's runs and their spread: the JSON `quorum drill --json` prints (its fields for Sentinel runs stay). */
export interface ScenarioResult {
  scenario: string;
  /** The deployments the scenario is for; results kept before clusters existed say `sentinel`. */
  kind: ScenarioKind;
  description: string;
  expectFailover: boolean;
  noFailoverBecause: string | null;
  /** Sentinel's down-after; for a cluster, its `cluster-node-timeout`. */
  downAfterMs: number;
  runs: DrillRun[];
  summary: {
    /** When the new master took over: +switch-master for Sentinel, the promotion for Cluster. */
    switchMasterMs: Stats | null;
    writeUnavailableMs: Stats | null;
    ackedLost: Stats | null;
    violations: number;
    /** Results within Redis's rules but outside the usual range (src/model/deviation.ts). */
    deviations: number;
  };
}

function clusterRuns(runs: DrillRun[]): ClusterRun[] {
  return runs.filter((r): r is ClusterRun => r.kind === 'cluster');
}

export function summarize(
  scenario: Scenario,
  runs: DrillRun[],
  downAfterMs: number,
): ScenarioResult {
  return {
    scenario: scenario.name,
    kind: scenario.kind,
    description: scenario.description,
    expectFailover: scenario.expectFailover,
    noFailoverBecause: scenario.noFailoverBecause ?? null,
    // the nodes' own cluster-node-timeout, as the runs read it, over what the caller assumed
    downAfterMs: clusterRuns(runs)[0]?.cluster.nodeTimeoutMs ?? downAfterMs,
    runs,
    summary: {
      switchMasterMs: stats(runs.map(takeoverMs)),
      writeUnavailableMs: stats(runs.map((r) => r.writeUnavailableMs)),
      ackedLost: stats(runs.map((r) => r.ackedLost)),
      violations: runs.reduce((n, r) => n + r.violations.length, 0),
      deviations: runs.reduce((n, r) => n + r.deviations.length, 0),
    },
  };
}

/** A time measured against its usual range: "5.97 s (0.03 s sooner than the usual ...)". */
function measuredAgainst(ms: number | null, usual: [number, number]): string {
  if (ms === null) return 'none';
  const off = outside(ms, usual);
  return `${(ms / 1000).toFixed(2)} s${off === null ? '' : ` (${off})`}`;
}

/** What Redis's docs say to expect, next to what was measured: [what, expected, measured]. */
export function expectations(result: ScenarioResult, run: DrillRun): [string, string, string][] {
  switch (run.kind) {
    case 'sentinel':
      return sentinelExpectations(result, run);
    case 'cluster':
      return clusterExpectations(result, run);
    default:
      return assertNever(run);
  }
}

function sentinelExpectations(
  result: ScenarioResult,
  run: SentinelRun,
): [string, string, string][] {
  const s = (ms: number | null) => (ms === null ? 'none' : `${(ms / 1000).toFixed(2)} s`);
  const d = result.downAfterMs;
  const rows: [string, string, string][] = [];
  rows.push([
    'failover',
    result.expectFailover ? 'yes' : `no: ${result.noFailoverBecause ?? ''}`,
    run.failover ? `yes (${run.oldMaster ?? '?'} -> ${run.newMaster ?? '?'})` : 'no',
  ]);
  const usual = usualSwitchMs(result.scenario, d);
  if (result.expectFailover && usual) {
    rows.push([
      '+switch-master after the fault',
      `about down-after + 1 to 2.5 s: ${s(usual[0])} to ${s(usual[1])}`,
      measuredAgainst(run.switchMasterMs, usual),
    ]);
  }
  rows.push([
    'acknowledged writes lost',
    lossText(result.scenario, run),
    `${run.ackedLost} of ${run.acknowledged} (${(run.lossRate * 100).toFixed(2)}%)`,
  ]);
  if (run.twoMastersMs > 0 || result.scenario === 'split-brain-restart') {
    rows.push([
      'time two nodes said role:master',
      result.scenario === 'split-brain-restart' ? 'until +convert-to-slave' : 'none',
      s(run.twoMastersMs),
    ]);
  }
  rows.push([
    'longest time without a write',
    result.expectFailover ? `about the failover time` : 'short',
    s(run.writeUnavailableMs),
  ]);
  return rows;
}

/** The same for a Redis Cluster run: failover, cluster_state:fail, the other shards, a reshard. */
function clusterExpectations(result: ScenarioResult, run: ClusterRun): [string, string, string][] {
  const s = (ms: number | null) => (ms === null ? 'none' : `${(ms / 1000).toFixed(2)} s`);
  const nt = result.downAfterMs;
  const facts = run.cluster;
  const rows: [string, string, string][] = [];
  rows.push([
    'failover',
    result.expectFailover ? 'yes' : `no: ${result.noFailoverBecause ?? ''}`,
    run.failover ? `yes (${run.oldMaster ?? '?'} -> ${run.newMaster ?? '?'})` : 'no',
  ]);
  if (result.expectFailover) {
    const usual = usualPromotionMs(nt);
    rows.push([
      'replica promoted after the fault',
      `node-timeout + 1 s to 1.5 x node-timeout + 3 s (PFAIL up to 1.5 x node-timeout after the crash, then FAIL and the election): ${s(usual[0])} to ${s(usual[1])}`,
      measuredAgainst(run.promotedMs, usual),
    ]);
  }
  rows.push([
    'acknowledged writes lost',
    lossText(result.scenario, run),
    `${run.ackedLost} of ${run.acknowledged} (${(run.lossRate * 100).toFixed(2)}%)`,
  ]);
  if (facts.reshard) {
    const r = facts.reshard;
    rows.push([
      'reshard',
      'slots move under load',
      `${r.slotsMoved} slots, ${r.keysMoved} keys from ${r.from} to ${r.to} in ${s(r.ms)}`,
    ]);
  }
  const scenario = scenarioNamed(result.scenario);
  rows.push([
    'time some node said cluster_state:fail',
    scenario?.clusterDown === true
      ? 'while the shard is down (cluster-require-full-coverage yes)'
      : scenario?.clusterDown === false
        ? 'none'
        : 'briefly: from FAIL until the replica is promoted',
    s(facts.clusterFailMs),
  ]);
  rows.push([
    facts.reshard
      ? 'longest time without a write to the moved slots'
      : "longest time without a write to the shard's slots",
    facts.reshard
      ? 'about 0: clients follow MOVED and ASK'
      : result.expectFailover
        ? 'about the failover time'
        : 'until the shard is back',
    s(run.writeUnavailableMs),
  ]);
  rows.push([
    'longest time without a write to the other shards',
    scenario?.clusterDown === true ? 'while the cluster is down' : 'short',
    s(facts.otherShardsUnavailableMs),
  ]);
  return rows;
}

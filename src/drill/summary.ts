import type { Stats } from './checker.js';
import { stats } from './checker.js';
import type { DrillRun } from './runner.js';
import type { Scenario } from './scenarios.js';
import { scenarioNamed } from './scenarios.js';

/** What REFERENCE.md says about lost writes in this scenario, given the run's preset. */
function lossText(name: string, run: DrillRun): string {
  const scenario = scenarioNamed(name);
  if (!scenario) return '-';
  const safe = (run.minReplicasToWrite ?? 0) >= 1;
  return safe && scenario.lossExpectedSafe !== undefined
    ? scenario.lossExpectedSafe
    : scenario.lossExpected;
}

/** One scenario's runs and their spread: the JSON `quorum drill --json` prints (DESIGN.md §3). */
export interface ScenarioResult {
  scenario: string;
  description: string;
  expectFailover: boolean;
  noFailoverBecause: string | null;
  downAfterMs: number;
  runs: DrillRun[];
  summary: {
    switchMasterMs: Stats | null;
    writeUnavailableMs: Stats | null;
    ackedLost: Stats | null;
    violations: number;
  };
}

export function summarize(
  scenario: Scenario,
  runs: DrillRun[],
  downAfterMs: number,
): ScenarioResult {
  return {
    scenario: scenario.name,
    description: scenario.description,
    expectFailover: scenario.expectFailover,
    noFailoverBecause: scenario.noFailoverBecause ?? null,
    downAfterMs,
    runs,
    summary: {
      switchMasterMs: stats(runs.map((r) => r.switchMasterMs)),
      writeUnavailableMs: stats(runs.map((r) => r.writeUnavailableMs)),
      ackedLost: stats(runs.map((r) => r.ackedLost)),
      violations: runs.reduce((n, r) => n + r.violations.length, 0),
    },
  };
}

/** What REFERENCE.md says to expect, next to what was measured: [what, expected, measured]. */
export function expectations(result: ScenarioResult, run: DrillRun): [string, string, string][] {
  const s = (ms: number | null) => (ms === null ? 'none' : `${(ms / 1000).toFixed(2)} s`);
  const d = result.downAfterMs;
  const rows: [string, string, string][] = [];
  rows.push([
    'failover',
    result.expectFailover ? 'yes' : `no: ${result.noFailoverBecause ?? ''}`,
    run.failover ? `yes (${run.oldMaster ?? '?'} -> ${run.newMaster ?? '?'})` : 'no',
  ]);
  if (
    result.expectFailover &&
    ['kill-master', 'stop-master', 'kill-sentinel-minority'].includes(result.scenario)
  ) {
    rows.push([
      '+switch-master after the fault',
      `about down-after + 1 to 2.5 s: ${s(d + 1000)} to ${s(d + 2500)}`,
      s(run.switchMasterMs),
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

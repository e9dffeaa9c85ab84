import type { Access } from '../redis/index.js';
import type { NetworkFaults } from '../faults/index.js';
import type { Addr, Expectation, QuorumEvent } from '../model/index.js';
import type { NodeController } from '../local/index.js';
import type { Observer } from '../observer/index.js';
import { assertNever, UserError } from '../model/index.js';
import { runClusterScenario } from './cluster-runner.js';
import type { DrillRun, LiveRun } from './types.js';
import { interrupted, runScenario } from './runner.js';
import type { Scenario, ScenarioKind } from './types.js';
import { kindRefusal } from './scenarios.js';
import type { DrillRecord, DrillStore } from './store.js';
import type { ScenarioResult } from './summary.js';
import { summarize } from './summary.js';
import type { Via } from './workload.js';

/** The deployment a drill breaks: its observer, and its supervisor when it is local. */
export interface DrillTarget {
  deployment: string;
  observer: Observer;
  /** Null for an attached deployment: only faults that need no process run there. */
  controller: NodeController | null;
  expect: Expectation;
  sentinels: Addr[];
  masterName: string;
  access: Access;
  sentinelAccess: Access;
  /** down-after of the sentinels; for a cluster, its `cluster-node-timeout`. */
  downAfterMs: number;
  /** Where results are kept (`<dir>/drills/`). */
  store: DrillStore;
  /** quorum's proxy in front of it, if one runs. */
  proxy: { write: Addr; read: Addr } | null;
  /** The lab's network faults; null on loopback or for an attached deployment. */
  network: NetworkFaults | null;
}

export interface DrillPlan {
  scenarios: Scenario[];
  runs: number;
  writers: number;
  rate: number;
  via?: Via;
  /** Every write and its verdict as JSON lines, the drill's keys kept (see EngineOptions). */
  ledgerFile?: string;
}

export interface DrillHooks {
  /** Progress lines for a person. */
  progress: (line: string) => void;
  onLive?: (scenario: string, run: number, live: LiveRun) => void;
  /** Called with each scenario's stored result as soon as its runs are done. */
  onResult?: (record: DrillRecord) => void;
  signal: AbortSignal;
  /** Where a run's phase changes are said (`kill-master: healing -> checking`); nowhere by default. */
  log?: (line: string) => void;
}

/** Who writes a drill's timeline entries: the supervisor for a local deployment, else the observer. */
export function drillRecorder(target: DrillTarget) {
  return (type: string, message: string, detail: QuorumEvent['detail']): Promise<void> => {
    if (target.controller) return target.controller.record(type, message, detail);
    target.observer.record(type, message, detail);
    return Promise.resolve();
  };
}

/** The kind of deployment a target is, as its observer watches it. */
function targetKind(target: Pick<DrillTarget, 'observer'>): ScenarioKind {
  return target.observer.target.kind;
}

/** One run of one scenario, by the runner for the deployment's kind. */
function runOne(
  target: DrillTarget,
  plan: DrillPlan,
  scenario: Scenario,
  hooks: Pick<DrillHooks, 'signal' | 'log'> & {
    progress: (line: string) => void;
    onLive: (live: LiveRun) => void;
  },
): Promise<DrillRun> {
  const common = {
    scenario,
    observer: target.observer,
    controller: target.controller,
    record: drillRecorder(target),
    expect: target.expect,
    access: target.access,
    onLive: hooks.onLive,
    progress: hooks.progress,
    signal: hooks.signal,
    ...(hooks.log ? { log: hooks.log } : {}),
    ...(plan.ledgerFile !== undefined ? { ledgerFile: plan.ledgerFile } : {}),
  };
  const load = { writers: plan.writers, rate: plan.rate, readers: 1, timeoutMs: 1000 };
  switch (scenario.kind) {
    case 'cluster':
      return runClusterScenario({
        ...common,
        workload: load,
        nodeTimeoutMs: target.downAfterMs,
        network: target.network,
      });
    case 'sentinel':
      return runScenario({
        ...common,
        network: target.network,
        workload: {
          ...load,
          sentinels: target.sentinels,
          masterName: target.masterName,
          sentinelAccess: target.sentinelAccess,
          access: target.access,
        },
        ...(plan.via ? { via: plan.via } : {}),
        proxy: target.proxy,
        downAfterMs: target.downAfterMs,
      });
    default:
      return assertNever(scenario.kind);
  }
}

/**
 * Runs every scenario of the plan `runs` times, one after the other, holding the drill lock of
 * the data directory, and stores each scenario's result as soon as it is complete. When the
 * signal aborts, the current run heals and the whole throws `interrupted()`; finished runs are kept.
 */
export async function runDrills(
  target: DrillTarget,
  plan: DrillPlan,
  hooks: DrillHooks,
): Promise<ScenarioResult[]> {
  const kind = targetKind(target);
  for (const scenario of plan.scenarios) {
    const refusal = kindRefusal(scenario, kind, target.deployment);
    if (refusal) throw new UserError(refusal, 2);
  }
  const names = plan.scenarios.map((s) => s.name).join(', ');
  const release = target.store.lock(`${names} on ${target.deployment}`);
  const results: ScenarioResult[] = [];
  try {
    for (const scenario of plan.scenarios) {
      const startedAtMs = Date.now();
      const runs: DrillRun[] = [];
      // the runs that finished are kept even when a later one fails or is interrupted
      const keep = () => {
        if (runs.length === 0) return;
        const result = summarize(scenario, runs, target.downAfterMs);
        results.push(result);
        hooks.onResult?.(target.store.save(target.deployment, startedAtMs, result));
      };
      try {
        for (let i = 1; i <= plan.runs; i++) {
          if (hooks.signal.aborted) throw interrupted();
          const tag = `[${scenario.name} ${String(i)}/${String(plan.runs)}]`;
          const writers = kind === 'cluster' ? 'writers per shard' : 'writers';
          hooks.progress(
            `${tag} running (${String(plan.writers)} ${writers}, ${String(plan.rate)} writes/s)`,
          );
          runs.push(
            await runOne(target, plan, scenario, {
              onLive: (live) => hooks.onLive?.(scenario.name, i, live),
              progress: (line) => hooks.progress(`${tag} ${line}`),
              signal: hooks.signal,
              ...(hooks.log ? { log: hooks.log } : {}),
            }),
          );
        }
      } finally {
        keep();
      }
    }
  } finally {
    release();
  }
  return results;
}

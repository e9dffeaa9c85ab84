import type { Addr, Expectation } from '../model/index.js';
import type { NodeController } from '../local/index.js';
import type { Observer } from '../observer/index.js';
import type { DrillRun, LiveRun } from './runner.js';
import { runScenario } from './runner.js';
import type { Scenario } from './scenarios.js';
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
  password: string | null;
  sentinelPassword: string | null;
  downAfterMs: number;
  /** Where results are kept (`<dir>/drills/`). */
  store: DrillStore;
}

export interface DrillPlan {
  scenarios: Scenario[];
  runs: number;
  writers: number;
  rate: number;
  via?: Via;
}

export interface DrillHooks {
  /** Progress lines for a person. */
  progress: (line: string) => void;
  onLive?: (scenario: string, run: number, live: LiveRun) => void;
  /** Called with each scenario's stored result as soon as its runs are done. */
  onResult?: (record: DrillRecord) => void;
  signal: AbortSignal;
}

/** Who made a timeline entry: the supervisor for a local deployment, the observer otherwise. */
function recorder(target: DrillTarget) {
  return (type: string, message: string, detail: Record<string, string>): Promise<void> => {
    if (target.controller) return target.controller.record(type, message, detail);
    target.observer.record(type, message, detail);
    return Promise.resolve();
  };
}

/**
 * Runs every scenario of the plan `runs` times, one after the other, holding the drill lock of
 * the data directory, and stores each scenario's result as soon as it is complete. Stops after
 * the current run (healed) when the signal aborts.
 */
export async function runDrills(
  target: DrillTarget,
  plan: DrillPlan,
  hooks: DrillHooks,
): Promise<ScenarioResult[]> {
  const names = plan.scenarios.map((s) => s.name).join(', ');
  const release = target.store.lock(`${names} on ${target.deployment}`);
  const results: ScenarioResult[] = [];
  try {
    for (const scenario of plan.scenarios) {
      const startedAtMs = Date.now();
      const runs: DrillRun[] = [];
      for (let i = 1; i <= plan.runs && !hooks.signal.aborted; i++) {
        const tag = `[${scenario.name} ${String(i)}/${String(plan.runs)}]`;
        hooks.progress(
          `${tag} running (${String(plan.writers)} writers, ${String(plan.rate)} writes/s)`,
        );
        runs.push(
          await runScenario({
            scenario,
            observer: target.observer,
            controller: target.controller,
            record: recorder(target),
            expect: target.expect,
            workload: {
              sentinels: target.sentinels,
              masterName: target.masterName,
              password: target.password,
              sentinelPassword: target.sentinelPassword,
              writers: plan.writers,
              rate: plan.rate,
              readers: 1,
              timeoutMs: 1000,
            },
            ...(plan.via ? { via: plan.via } : {}),
            onLive: (live) => hooks.onLive?.(scenario.name, i, live),
            password: target.password,
            downAfterMs: target.downAfterMs,
            progress: (line) => hooks.progress(`${tag} ${line}`),
            signal: hooks.signal,
          }),
        );
      }
      if (runs.length === 0) break;
      const result = summarize(scenario, runs, target.downAfterMs);
      results.push(result);
      hooks.onResult?.(target.store.save(target.deployment, startedAtMs, result));
    }
  } finally {
    release();
  }
  return results;
}

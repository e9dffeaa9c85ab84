import type { QuorumEvent } from '../model/index.js';
import type { FaultContext } from '../faults/index.js';
import { writeSeries } from './checker.js';
import type { WriteRecord } from './ledger.js';
import type { DrillRun, LiveRun } from './runner.js';
import type { Scenario } from './scenarios.js';

/** How often a running drill pushes its live chart. */
const LIVE_EVERY_MS = 500;

/** The events of a run its chart marks (`marks`), with times relative to `fromMs` (pure). */
export function markedEvents(
  events: readonly QuorumEvent[],
  marks: ReadonlySet<string>,
  startedAtMs: number,
  fromMs: number,
): DrillRun['events'] {
  return events
    .filter((e) => marks.has(e.type) && e.ms >= startedAtMs)
    .map((e) => ({ type: e.type, ms: e.ms - fromMs, message: e.message }));
}

/**
 * Pushes a run's live chart every 500 ms (times relative to the fault once it is injected, to
 * now before); returns the function that stops it. Without `onLive` it does nothing.
 */
export function liveTicker(
  onLive: ((live: LiveRun) => void) | undefined,
  run: {
    startedAtMs: number;
    writes: readonly WriteRecord[];
    events: readonly QuorumEvent[];
    marks: ReadonlySet<string>;
    /** The run's phase and fault time (0 until injected) as they are now. */
    now: () => { phase: LiveRun['phase']; faultAtMs: number };
  },
): () => void {
  if (!onLive) return () => undefined;
  const timer = setInterval(() => {
    const nowMs = Date.now();
    const { phase, faultAtMs } = run.now();
    const origin = faultAtMs === 0 ? nowMs : faultAtMs;
    onLive({
      phase,
      startedAtMs: run.startedAtMs,
      faultAtMs: faultAtMs === 0 ? null : faultAtMs,
      series: writeSeries(run.writes, origin, run.startedAtMs, nowMs),
      events: markedEvents(run.events, run.marks, run.startedAtMs, origin),
    });
  }, LIVE_EVERY_MS);
  return () => clearInterval(timer);
}

/**
 * Heals what the scenario broke, whatever happened before; a failed heal is said, not thrown,
 * so the run still waits for health and reports. Records `quorum:fault-healed`.
 */
export async function healFault(
  scenario: Scenario,
  ctx: FaultContext,
  options: {
    progress: (line: string) => void;
    record: (type: string, message: string, detail: Record<string, string>) => Promise<void>;
  },
): Promise<{ healed: string; error: string | null }> {
  let error: string | null = null;
  const healed = await scenario.fault.heal(ctx).catch((err: unknown) => {
    error = err instanceof Error ? err.message : String(err);
    options.progress(`${scenario.name}: healing failed: ${error}`);
    return `heal failed: ${error}`;
  });
  await options
    .record('quorum:fault-healed', `drill ${scenario.name}: ${healed}`, {
      scenario: scenario.name,
    })
    .catch(() => undefined);
  return { healed, error };
}

import type { Expectation, QuorumEvent, Topology } from '../model/index.js';
import { healthProblems, UserError } from '../model/index.js';
import type { FaultContext } from '../faults/index.js';
import type { Observer } from '../observer/index.js';
import { writeSeries } from './checker.js';
import type { WriteRecord } from './ledger.js';
import type { DrillRun, LivePhase, LiveRun } from './types.js';
import type { Scenario } from './types.js';
import { interrupted, waitFor } from './timing.js';

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

/** A run's live chart: pushed every 500 ms, and at once when the phase changes. */
export interface LiveFeed {
  push(): void;
  stop(): void;
}

/**
 * Pushes a run's live chart every 500 ms (times relative to the fault once it is injected, to
 * now before) until stopped. Without `onLive` it does nothing.
 */
export function liveFeed(
  onLive: ((live: LiveRun) => void) | undefined,
  run: {
    startedAtMs: number;
    writes: readonly WriteRecord[];
    events: readonly QuorumEvent[];
    marks: ReadonlySet<string>;
    /** The run's phase and fault time (0 until injected) as they are now. */
    now: () => { phase: LivePhase; faultAtMs: number };
  },
): LiveFeed {
  if (!onLive) return { push: () => undefined, stop: () => undefined };
  const push = () => {
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
  };
  const timer = setInterval(push, LIVE_EVERY_MS);
  return { push, stop: () => clearInterval(timer) };
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
    record: (type: string, message: string, detail: QuorumEvent['detail']) => Promise<void>;
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

/** Waits until the deployment is healthy; throws the problems when it does not get there. */
export async function waitHealthy(
  observer: Pick<Observer, 'fresh'>,
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
  observer: Pick<Observer, 'fresh'>,
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

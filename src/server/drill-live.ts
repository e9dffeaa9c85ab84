import type { DrillListing, DrillRecord, LiveRun } from '../drill/index.js';
import { listingOf, writeSeries } from '../drill/index.js';
import type { DrillLive } from './contract.js';
import { isFinished } from './contract.js';

/** Progress lines kept for the live panel. */
const LINES_KEPT = 30;

/**
 * One dashboard drill as the live chart shows it, pushed on every change. Its phase changes in
 * one place, `setPhase`: an ended drill stays ended, and a stop once asked for is not undone by
 * the next tick of the run.
 */
export class LiveDrill {
  readonly live: DrillLive;

  constructor(
    deployment: string,
    scenario: string,
    runs: number,
    private readonly publish: (live: DrillLive, finished: DrillListing | null) => void,
  ) {
    const now = Date.now();
    this.live = {
      deployment,
      scenario,
      run: 1,
      runs,
      phase: 'starting',
      startedAtMs: now,
      faultAtMs: null,
      series: writeSeries([], now, now, now),
      events: [],
      lines: [],
    };
  }

  setPhase(next: DrillLive['phase']): void {
    const { live } = this;
    if (isFinished(live) || (live.phase === 'stopping' && !isFinished({ phase: next }))) return;
    live.phase = next;
  }

  /** Pushes the drill as it is now. */
  show(): void {
    this.publish(this.live, null);
  }

  /** One more progress line. */
  say(line: string): void {
    this.live.lines = [...this.live.lines, line].slice(-LINES_KEPT);
    this.show();
  }

  /** The engine's tick: the run under way, its chart and its phase. */
  update(run: number, { phase, ...snapshot }: LiveRun): void {
    Object.assign(this.live, { run, ...snapshot });
    this.setPhase(phase);
    this.show();
  }

  /** A run ended and was kept: pushed with its listing. */
  stored(record: DrillRecord): void {
    this.publish(this.live, listingOf(record));
  }
}

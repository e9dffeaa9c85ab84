import type { Series } from './checker.js';
import type { LiveRun } from './types.js';

/** A drill that runs in the dashboard's process, as the live chart shows it. */
export interface DrillLive {
  deployment: string;
  scenario: string;
  /** This run's number, from 1, of `runs`. */
  run: number;
  runs: number;
  phase: LiveRun['phase'] | 'starting' | 'stopping' | 'done' | 'failed' | 'stopped';
  startedAtMs: number;
  faultAtMs: number | null;
  series: Series;
  events: LiveRun['events'];
  /** The last progress lines. */
  lines: string[];
}

export { isFinished } from '../model/drill.js';

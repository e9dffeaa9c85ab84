import type { Topology } from '../model/index.js';
import type { ObserverStats } from '../observer/index.js';
import type { ObserverFreshness } from './contract.js';

/** How often a browser's view of staleness is checked while one is connected. */
const CHECK_EVERY_MS = 1000;

/** The freshness of `topology` at `nowMs` (pure). */
export function freshnessOf(
  stats: ObserverStats,
  topology: Topology | null,
  nowMs: number,
): ObserverFreshness {
  const ageMs = topology ? Math.max(0, nowMs - topology.observedAtMs) : null;
  return {
    ageMs,
    stale: ageMs === null || ageMs > stats.staleAfterMs,
    staleAfterMs: stats.staleAfterMs,
    failing: stats.failing,
    failedPolls: stats.failedPolls,
  };
}

/**
 * A stale observer publishes nothing, so nothing would tell the browsers: while someone listens,
 * checks every second and calls `changed(name)` when a deployment goes stale or fresh again.
 */
export class StaleWatch {
  private timer: NodeJS.Timeout | null = null;
  private readonly shown = new Map<string, boolean>();

  constructor(
    private readonly staleness: () => Iterable<[string, boolean]>,
    private readonly changed: (name: string) => void,
  ) {}

  start(): void {
    if (this.timer) return;
    for (const [name, stale] of this.staleness()) this.shown.set(name, stale);
    this.timer = setInterval(() => this.check(), CHECK_EVERY_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private check(): void {
    for (const [name, stale] of this.staleness()) {
      if (this.shown.get(name) === stale) continue;
      this.shown.set(name, stale);
      this.changed(name);
    }
  }
}

import type { Addr } from './address.js';

/** How long after the first report another sentinel's report of the same event is merged. */
export const DEFAULT_DEDUP_WINDOW_MS = 10_000;

export type DedupResult<T> = { kind: 'new'; item: T } | { kind: 'merged'; item: T };

interface Open<T> {
  item: T;
  firstMs: number;
  reporters: Set<Addr>;
}

/**
 * Merges the same event reported by several sentinels into one. A report merges into an open
 * event with the same key when it comes from a sentinel that has not reported it yet, within the
 * window; the same sentinel reporting it again is a new occurrence (a flap), not a duplicate.
 */
export class EventDeduplicator<T> {
  private readonly open = new Map<string, Open<T>>();

  constructor(private readonly windowMs: number = DEFAULT_DEDUP_WINDOW_MS) {}

  observe(
    key: string,
    reporter: Addr,
    ms: number,
    create: () => T,
    merge: (item: T) => void,
  ): DedupResult<T> {
    this.expire(ms);
    const existing = this.open.get(key);
    if (existing && !existing.reporters.has(reporter) && ms - existing.firstMs <= this.windowMs) {
      existing.reporters.add(reporter);
      merge(existing.item);
      return { kind: 'merged', item: existing.item };
    }
    const item = create();
    this.open.set(key, { item, firstMs: ms, reporters: new Set([reporter]) });
    return { kind: 'new', item };
  }

  private expire(now: number): void {
    for (const [key, entry] of this.open) {
      if (now - entry.firstMs > this.windowMs) this.open.delete(key);
    }
  }
}

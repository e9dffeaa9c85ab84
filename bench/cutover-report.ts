import { percentile } from './doc.js';

export const ENDPOINTS = [
  { key: 'naive', label: 'HAProxy, usual config (`--naive`: `check inter 1s`, rise 2)' },
  {
    key: 'tuned',
    label:
      'HAProxy, usual config tuned (`inter 100ms fastinter 100ms rise 1`, `on-marked-down shutdown-sessions`)',
  },
  {
    key: 'hardened',
    label: 'HAProxy, `quorum export haproxy` (master and a quorum of sentinels agree)',
  },
  { key: 'quorum', label: "quorum's write port" },
] as const;
export type Key = (typeof ENDPOINTS)[number]['key'];

/** One run with a failover. */
export interface CutoverRun {
  /** 1-based, as the run was printed. */
  run: number;
  switchMs: number;
  /** From the kill to the first acknowledged write, per endpoint; null: not back in time. */
  backMs: Record<Key, number | null>;
}

/** A writer that never came back counts as never: +infinity, so every endpoint has every run. */
const backOrNever = (r: CutoverRun, k: Key) => r.backMs[k] ?? Infinity;

/** The median time from the kill to writes again, over every run (a miss is +infinity). */
export function medianBack(results: CutoverRun[], k: Key): number {
  return percentile(
    results.map((r) => backOrNever(r, k)),
    50,
  );
}

/** Runs in which the writer through `k` had no acknowledged write in time. */
export function missedRuns(results: CutoverRun[], k: Key): number[] {
  return results.filter((r) => r.backMs[k] === null).map((r) => r.run);
}

const label = (k: Key) => ENDPOINTS.find((e) => e.key === k)?.label ?? k;

function misses(results: CutoverRun[], settleMs: number): string {
  const named = ENDPOINTS.flatMap((e) => {
    const runs = missedRuns(results, e.key);
    if (runs.length === 0) return [];
    return [`${e.label} in run${runs.length === 1 ? '' : 's'} ${runs.join(', ')}`];
  });
  return named.length === 0
    ? 'Every writer came back in every run.'
    : `Not back ${String(settleMs / 1000)} s after the switch (counted as never): ${named.join('; ')}.`;
}

/**
 * Who takes writes again first at the median (pure). Every endpoint is judged over the same
 * runs: a writer that never came back counts as +infinity, so an endpoint cannot win by its
 * misses being left out; misses are named.
 */
export function cutoverVerdict(results: CutoverRun[], settleMs: number): string {
  if (results.length === 0) return 'No run had a failover: no verdict.';
  const q = medianBack(results, 'quorum');
  const others = ENDPOINTS.filter((e) => e.key !== 'quorum');
  const faster = others.filter((e) => medianBack(results, e.key) < q);
  const tied = others.filter((e) => medianBack(results, e.key) === q);
  let head: string;
  if (q === Infinity) {
    head =
      faster.length === 0
        ? "No endpoint takes writes again at the median: quorum's write port and every HAProxy config were not back in at least half the runs."
        : `quorum's write port was not back in at least half the runs; at the median ${faster.map((e) => e.label).join(' and ')} took writes again.`;
  } else if (faster.length > 0) {
    head = `quorum loses at the median to ${faster.map((e) => `${e.label} (${(q - medianBack(results, e.key)).toFixed(0)} ms earlier)`).join(' and ')}: a proxy that checks the nodes' roles every 100 ms sees the promoted replica before Sentinel announces the switch, which quorum's write port waits for.`;
  } else if (tied.length > 0) {
    head = `quorum's write port ties at the median with ${tied.map((e) => e.label).join(' and ')}.`;
  } else {
    head = "quorum's write port takes writes again first at the median.";
  }
  return `${head} ${misses(results, settleMs)}`;
}

/** A time for the table; a median or maximum that is a miss reads "not back". */
function ms(v: number): string {
  return Number.isFinite(v) ? `${v.toFixed(0)} ms` : 'not back';
}

/** One endpoint's table row: medians and the maximum count a miss as never. */
export function cutoverRow(results: CutoverRun[], k: Key): string {
  const after = results.map((r) => backOrNever(r, k) - r.switchMs);
  const missed = missedRuns(results, k).length;
  if (results.length === 0) return `| ${label(k)} | - | - | - | ${String(missed)} |`;
  return `| ${label(k)} | ${ms(medianBack(results, k))} | ${ms(percentile(after, 50))} | ${ms(Math.max(...after))} | ${String(missed)} |`;
}

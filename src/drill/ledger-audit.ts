import type { WriteRecord } from './ledger.js';
import type { NetnsWorkloadSpec } from './workload-wire.js';

/**
 * Checks that a ledger that came over a pipe is whole (pure): every writer numbers its writes
 * `<writer>:<seq>` from 0 and records each one, so a hole or a repeat means records were lost or
 * doubled on the way. Returns one sentence about the first problem, or null.
 */
export function sequenceProblem(writes: readonly WriteRecord[]): string | null {
  const seqs = new Map<number, number[]>();
  for (const w of writes) {
    const [writer, seq] = w.value.split(':').map(Number);
    if (writer !== w.writer || seq === undefined || !Number.isInteger(seq))
      return `the write ${w.value} does not name its writer ${w.writer} and a sequence number`;
    seqs.set(writer, [...(seqs.get(writer) ?? []), seq]);
  }
  for (const [writer, list] of seqs) {
    list.sort((a, b) => a - b);
    for (const [i, seq] of list.entries())
      if (seq !== i)
        return `writer ${writer}'s records skip or repeat at write ${i} (found ${seq} there)`;
  }
  return null;
}

/**
 * Checks the writers' final count against the records that arrived (pure): a tail of a writer's
 * writes lost on the way leaves no hole in its sequence, only fewer records than it made. `counts`
 * is null when no final count came. Returns one sentence about the first problem, or null.
 */
export function tailProblem(
  counts: readonly number[] | null,
  writes: readonly WriteRecord[],
): string | null {
  if (counts === null) return 'sent no final count of their writes';
  const arrived = new Map<number, number>();
  for (const w of writes) arrived.set(w.writer, (arrived.get(w.writer) ?? 0) + 1);
  for (const writer of arrived.keys())
    if (writer < 0 || writer >= counts.length)
      return `sent writes of writer ${writer}, which their final count does not name`;
  for (const [writer, count] of counts.entries()) {
    const got = arrived.get(writer) ?? 0;
    if (got !== count) return `counted ${count} writes of writer ${writer} but ${got} arrived`;
  }
  return null;
}

/** How many writers a spec runs: per shard in a cluster. */
export function writerCount(spec: NetnsWorkloadSpec): number {
  if (spec.kind === 'sentinel') return spec.options.writers;
  return spec.options.writers * new Set(spec.options.buckets.map((b) => b.shard)).size;
}

/** The share of its free time's writes a writer must make (see `expectedWrites`). */
const MIN_PACE = 0.5;

/**
 * The number of writes `spec` should have attempted in `ranMs` (pure). At most the rate's worth
 * (plus a second: the writers start before they say so and stop after being told). At least, per
 * writer, MIN_PACE of the writes its pace allows in the time it was not waiting on a write: a
 * writer is sequential, so each ms of the run is spent in a write (`endMs - startMs`, a connect
 * included) or waiting for its next slot; a writer whose master is unreachable is busy, not
 * short. The slack is for timers that fire late on a loaded machine (a late writer drops the
 * debt); a writer whose records stopped arriving has free time and no writes, and fails it.
 */
export function expectedWrites(
  spec: NetnsWorkloadSpec,
  ranMs: number,
  writes: readonly WriteRecord[],
): { min: number; max: number } {
  const writers = writerCount(spec);
  const { rate } = spec.options;
  const intervalMs = (1000 * writers) / rate;
  const busy = new Array<number>(writers).fill(0);
  for (const w of writes) busy[w.writer] = (busy[w.writer] ?? 0) + (w.endMs - w.startMs);
  const min = busy.reduce(
    (sum, busyMs) =>
      sum + Math.max(0, Math.floor((MIN_PACE * Math.max(0, ranMs - busyMs)) / intervalMs) - 1),
    0,
  );
  return { min, max: Math.ceil((rate * (ranMs + 1000)) / 1000) + writers };
}

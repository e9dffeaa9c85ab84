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

/** How many writers a spec runs: per shard in a cluster. */
function writerCount(spec: NetnsWorkloadSpec): number {
  if (spec.kind === 'sentinel') return spec.options.writers;
  return spec.options.writers * new Set(spec.options.buckets.map((b) => b.shard)).size;
}

/**
 * The number of writes `spec` should have attempted in `ranMs` (pure). At most the rate's worth
 * (plus a second: the writers start before they say so and stop after being told). At least half
 * of what writers that each wait out their timeout on every write would send (a role-check writer
 * may also wait that long to connect): half, since the machine may be loaded.
 */
export function expectedWrites(
  spec: NetnsWorkloadSpec,
  ranMs: number,
): { min: number; max: number } {
  const writers = writerCount(spec);
  const { rate, timeoutMs } = spec.options;
  const intervalMs = (1000 * writers) / rate;
  const stepMs =
    intervalMs +
    (spec.kind === 'sentinel' && spec.options.via === 'role-check' ? 2 : 1) * timeoutMs;
  return {
    min: Math.max(0, Math.floor((0.5 * writers * ranMs) / stepMs) - writers),
    max: Math.ceil((rate * (ranMs + 1000)) / 1000) + writers,
  };
}

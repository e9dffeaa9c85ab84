import type { ReadRecord, WriteRecord } from './ledger.js';

/** The Jepsen-style account of one run: what clients were told against what the data says. */
export interface LossReport {
  attempted: number;
  acknowledged: number;
  failed: number;
  indeterminate: number;
  /** Acknowledged writes found in the final data. */
  survived: number;
  /** Acknowledged writes missing from the final data: the losses that matter. */
  ackedLost: number;
  /** Up to 20 of the lost values, for the report. */
  ackedLostValues: string[];
  /** Writes that timed out or lost their connection but were applied anyway. */
  indeterminatePresent: number;
  /**
   * Indeterminate writes missing from the final data, except those refused late (known not
   * applied): never applied, or applied and lost; nobody can tell which, unless acknowledged late.
   * Null in runs kept before late replies were recorded; so are the next three.
   */
  indeterminateLost: number | null;
  /** Indeterminate writes the server acknowledged after the writer's timeout: it applied them. */
  lateAcked: number | null;
  /** Late-acknowledged writes missing from the final data: acknowledged losses in truth. */
  lateAckedLost: number | null;
  /** Indeterminate writes the server refused after the timeout: known not applied. */
  lateRefused: number | null;
  /**
   * Of `indeterminateLost`, the writes sent at or after the fault that got no reply at all, even
   * late: the only ones a scenario whose server drops unanswered writes may exempt. Null in runs
   * kept before it was counted.
   */
  unansweredAfterFault: number | null;
  /** Writes the client was told failed (in time or late) but that are present (should never happen). */
  failedPresent: number;
  /** ackedLost / acknowledged, 0 when nothing was acknowledged. */
  lossRate: number;
}

/** Compares the ledger with the values present on the final master (pure). */
export function checkWrites(
  writes: readonly WriteRecord[],
  present: ReadonlySet<string>,
  faultAtMs: number,
): LossReport {
  // the late-reply counts are numbers here; the report's type allows null for runs kept before
  const late = {
    indeterminateLost: 0,
    lateAcked: 0,
    lateAckedLost: 0,
    lateRefused: 0,
    unansweredAfterFault: 0,
  };
  const report = {
    attempted: writes.length,
    acknowledged: 0,
    failed: 0,
    indeterminate: 0,
    survived: 0,
    ackedLost: 0,
    ackedLostValues: [] as string[],
    indeterminatePresent: 0,
    failedPresent: 0,
  };
  for (const w of writes) {
    const found = present.has(w.value);
    if (w.outcome === 'ack') {
      report.acknowledged++;
      if (found) report.survived++;
      else {
        report.ackedLost++;
        if (report.ackedLostValues.length < 20) report.ackedLostValues.push(w.value);
      }
    } else if (w.outcome === 'fail') {
      report.failed++;
      if (found) report.failedPresent++;
    } else {
      report.indeterminate++;
      if (found) report.indeterminatePresent++;
      if (w.late?.outcome === 'fail') {
        late.lateRefused++;
        if (found) report.failedPresent++;
      } else {
        if (!found) late.indeterminateLost++;
        if (!found && w.late === undefined && w.startMs >= faultAtMs) late.unansweredAfterFault++;
        if (w.late?.outcome === 'ack') {
          late.lateAcked++;
          if (!found) late.lateAckedLost++;
        }
      }
    }
  }
  const lossRate = report.acknowledged === 0 ? 0 : report.ackedLost / report.acknowledged;
  return { ...report, ...late, lossRate };
}

/**
 * Where a run's losses break its scenario's bound, one sentence each (pure). A write acknowledged
 * late and lost is an acknowledged loss in truth, so it counts against the bound; a scenario that
 * loses nothing (bound 0) must not miss an indeterminate write either, since a write held past
 * the client's timeout (in a CLIENT PAUSE, a frozen master) is the one most at risk. `exempt`:
 * how many missing writes sent after the fault and never answered the scenario excuses (see
 * `unansweredExempted`); a missing write beyond them, or sent before the fault, still counts.
 */
export function lossViolations(
  bound: number | null,
  run: Pick<LossReport, 'ackedLost' | 'lateAckedLost' | 'indeterminateLost'>,
  exempt = 0,
): string[] {
  if (bound === null) return [];
  const found: string[] = [];
  const lateLost = run.lateAckedLost ?? 0;
  if (run.ackedLost + lateLost > bound)
    found.push(
      `${run.ackedLost + lateLost} acknowledged writes were lost${lateLost > 0 ? ` (${lateLost} of them acknowledged after the timeout)` : ''}; at most ${bound} expected`,
    );
  const missing = (run.indeterminateLost ?? 0) - exempt;
  if (bound === 0 && missing > 0)
    found.push(
      `${missing} indeterminate writes are missing${lateLost > 0 ? ` (${lateLost} of them acknowledged late)` : ''}${exempt > 0 ? ` besides ${exempt} exempted` : ''}; this scenario should lose none`,
    );
  return found;
}

/**
 * How many missing, never-answered writes sent after the fault a scenario whose server drops
 * unanswered writes (stop-master's SHUTDOWN) may excuse (pure): at most `cap`, and none that was
 * sent before the fault or got a late reply. Null for a run kept before they were counted.
 */
export function unansweredExempted(
  run: Pick<LossReport, 'unansweredAfterFault'>,
  cap: number,
): number | null {
  return run.unansweredAfterFault === null ? null : Math.min(run.unansweredAfterFault, cap);
}

/**
 * The longest stretch in [fromMs, toMs] in which no operation succeeded, measured between
 * completions of successful operations (pure). With none succeeding it is the whole stretch.
 */
function longestGapWindow(
  successEndMs: readonly number[],
  fromMs: number,
  toMs: number,
): { from: number; to: number } {
  const inside = successEndMs.filter((t) => t > fromMs && t < toMs).sort((a, b) => a - b);
  let previous = fromMs;
  let best = { from: fromMs, to: fromMs };
  for (const t of [...inside, toMs]) {
    if (t - previous > best.to - best.from) best = { from: previous, to: t };
    previous = t;
  }
  return best;
}

export function longestGap(successEndMs: readonly number[], fromMs: number, toMs: number): number {
  const { from, to } = longestGapWindow(successEndMs, fromMs, toMs);
  return to - from;
}

/** Writes per time bucket, for the report's chart: acknowledged and not (pure). */
export interface Series {
  /** Bucket width, ms. */
  stepMs: number;
  /** Start of the first bucket, ms relative to the fault (negative: before it). */
  fromMs: number;
  acked: number[];
  failed: number[];
}

export function writeSeries(
  writes: readonly WriteRecord[],
  faultAtMs: number,
  fromMs: number,
  toMs: number,
  stepMs = 250,
): Series {
  const buckets = Math.max(1, Math.ceil((toMs - fromMs) / stepMs));
  const series: Series = {
    stepMs,
    fromMs: fromMs - faultAtMs,
    acked: new Array<number>(buckets).fill(0),
    failed: new Array<number>(buckets).fill(0),
  };
  for (const w of writes) {
    const i = Math.floor((w.endMs - fromMs) / stepMs);
    if (i < 0 || i >= buckets) continue;
    if (w.outcome === 'ack') series.acked[i] = (series.acked[i] ?? 0) + 1;
    else series.failed[i] = (series.failed[i] ?? 0) + 1;
  }
  return series;
}

export interface Availability {
  /** ms after the fault when a write sent after the fault was first acknowledged; null if none. */
  firstWriteMs: number | null;
  /** The longest window after the fault without an acknowledged write. */
  writeUnavailableMs: number;
  /** Where that window starts, ms after the fault. */
  writeUnavailableFromMs: number;
  /** The same for reads. */
  readUnavailableMs: number;
}

/** Write and read availability around a fault at `faultAtMs`, until `endMs` (pure). */
export function availability(
  writes: readonly WriteRecord[],
  reads: readonly ReadRecord[],
  faultAtMs: number,
  endMs: number,
): Availability {
  const acks = writes.filter((w) => w.outcome === 'ack');
  const after = acks.filter((w) => w.startMs >= faultAtMs).map((w) => w.endMs - faultAtMs);
  const gap = longestGapWindow(
    acks.map((w) => w.endMs),
    faultAtMs,
    endMs,
  );
  return {
    firstWriteMs: after.length > 0 ? Math.min(...after) : null,
    writeUnavailableMs: gap.to - gap.from,
    writeUnavailableFromMs: gap.from - faultAtMs,
    readUnavailableMs: longestGap(
      reads.filter((r) => r.ok).map((r) => r.endMs),
      faultAtMs,
      endMs,
    ),
  };
}

export interface Stats {
  min: number;
  p50: number;
  p95: number;
  max: number;
}

/** min / p50 / p95 / max of the values that are numbers; null when there are none (pure). */
export function stats(values: readonly (number | null)[]): Stats | null {
  const sorted = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const at = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ??
    NaN;
  return { min: sorted[0] ?? NaN, p50: at(50), p95: at(95), max: sorted[sorted.length - 1] ?? NaN };
}

/** Where acknowledged writes went, and how many of those were lost, per node. */
export interface NodeAccount {
  node: string;
  acked: number;
  lost: number;
}

/** The row of acknowledged writes whose client could not say which node answered. */
const UNKNOWN_NODE = 'node not known';

/**
 * Acknowledged writes per node that answered them (pure): in a partition, which side each write
 * went to, and which side's writes were lost. Writes with no known node get a row of their own,
 * so the rows add up to the run's acknowledged writes.
 */
export function writesByNode(
  writes: readonly WriteRecord[],
  present: ReadonlySet<string>,
): NodeAccount[] {
  const byNode = new Map<string, NodeAccount>();
  for (const w of writes) {
    if (w.outcome !== 'ack') continue;
    // so the rows add up to the run's acknowledged writes
    const node = w.node ?? UNKNOWN_NODE;
    const account = byNode.get(node) ?? { node, acked: 0, lost: 0 };
    account.acked++;
    if (!present.has(w.value)) account.lost++;
    byNode.set(node, account);
  }
  return [...byNode.values()].sort((a, b) => b.acked - a.acked);
}

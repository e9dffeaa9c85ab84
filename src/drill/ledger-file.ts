import { appendFileSync } from 'node:fs';
import type { WriteRecord } from './ledger.js';

/** One write as `ledgerFile` keeps it: what the client was told, and whether the value is there. */
export interface LedgerLine {
  scenario: string;
  /** The run's fault time (ms since epoch): tells runs apart. */
  faultAtMs: number;
  key: string;
  value: string;
  outcome: WriteRecord['outcome'];
  /** When it was sent and when the outcome was known (ms since epoch), and the node the client
   * sent it to, if known. */
  startMs: number;
  endMs: number;
  node: string | null;
  late: WriteRecord['late'] | null;
  present: boolean;
}

/** Appends every write and whether it is present to `file` (JSON lines). */
export function keepLedger(
  file: string,
  scenario: string,
  faultAtMs: number,
  writes: readonly WriteRecord[],
  present: ReadonlySet<string>,
): void {
  const lines = writes.map((w) => {
    const line: LedgerLine = {
      scenario,
      faultAtMs,
      key: w.key ?? '',
      value: w.value,
      outcome: w.outcome,
      startMs: w.startMs,
      endMs: w.endMs,
      node: w.node ?? null,
      late: w.late ?? null,
      present: present.has(w.value),
    };
    return `${JSON.stringify(line)}\n`;
  });
  appendFileSync(file, lines.join(''));
}

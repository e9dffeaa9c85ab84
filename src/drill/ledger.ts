/**
 * What a client knows about one write. `ack`: the server confirmed it. `fail`: the server refused
 * it, or it was never sent, so it cannot have been applied. `indeterminate`: no answer (a timeout
 * or a connection lost after sending): it may or may not have been applied.
 */
export type WriteOutcome = 'ack' | 'fail' | 'indeterminate';

export interface WriteRecord {
  value: string;
  writer: number;
  /** When the write was sent and when its outcome was known (ms since epoch). */
  startMs: number;
  endMs: number;
  outcome: WriteOutcome;
  /** The node the client was connected to when it sent the write, when known. */
  node?: string;
  /** Cluster: the hash slot of the key it went to. */
  slot?: number;
}

export interface ReadRecord {
  startMs: number;
  endMs: number;
  ok: boolean;
}

/** Every write and read of one drill run, in the order they completed. */
export class Ledger {
  readonly writes: WriteRecord[] = [];
  readonly reads: ReadRecord[] = [];

  write(record: WriteRecord): void {
    this.writes.push(record);
  }

  read(record: ReadRecord): void {
    this.reads.push(record);
  }
}

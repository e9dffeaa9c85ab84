/**
 * What a client knows about one write. `ack`: the server confirmed it. `fail`: the server refused
 * it, or it was never sent, so it cannot have been applied. `indeterminate`: no answer (a timeout
 * or a connection lost after sending): it may or may not have been applied.
 */
export type WriteOutcome = 'ack' | 'fail' | 'indeterminate';

/**
 * A reply that came after the writer gave up waiting (an indeterminate write): `ack`, the server
 * applied it after all; `fail`, the server refused it, so it was not applied.
 */
export interface LateReply {
  value: string;
  outcome: 'ack' | 'fail';
  /** When the reply arrived (ms since epoch). */
  atMs: number;
}

export interface WriteRecord {
  value: string;
  writer: number;
  /** When the write was sent and when its outcome was known (ms since epoch). */
  startMs: number;
  endMs: number;
  outcome: WriteOutcome;
  /** The node that answered the write (the one the client was connected to), when known. */
  node?: string;
  /** Cluster: the hash slot of the key it went to, and the key. */
  slot?: number;
  key?: string;
  /** An indeterminate write's reply that came after the writer's timeout, when one came. */
  late?: Omit<LateReply, 'value'>;
}

export interface ReadRecord {
  startMs: number;
  endMs: number;
  ok: boolean;
}

/** Every write and read of one drill run, in the order they completed, and late replies. */
export class Ledger {
  readonly writes: WriteRecord[] = [];
  readonly reads: ReadRecord[] = [];
  /** Late replies in the order they came (the writers in a namespace send them on). */
  readonly lateReplies: LateReply[] = [];
  private readonly byValue = new Map<string, WriteRecord>();

  write(record: WriteRecord): void {
    this.writes.push(record);
    this.byValue.set(record.value, record);
  }

  read(record: ReadRecord): void {
    this.reads.push(record);
  }

  /**
   * Marks an indeterminate write with the reply that came after its timeout; a reply for a write
   * the ledger does not hold as indeterminate is refused (false), since it would change a verdict.
   */
  late(reply: LateReply): boolean {
    const record = this.byValue.get(reply.value);
    if (record?.outcome !== 'indeterminate' || record.late !== undefined) return false;
    record.late = { outcome: reply.outcome, atMs: reply.atMs };
    this.lateReplies.push(reply);
    return true;
  }
}

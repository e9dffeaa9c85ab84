import type { LateReply, WriteOutcome, WriteRecord } from './ledger.js';
import { Ledger } from './ledger.js';

/** Where a workload is: made, writing, finishing its last writes, done. */
export type WritersState = 'idle' | 'running' | 'stopping' | 'stopped';

export const TIMEOUT = Symbol('timeout');

/**
 * How long the stop waits for replies to writes that timed out, once the loops ended: the heal and
 * the settle before it let most of them come, and a connection that never answers is closed then.
 */
const LATE_REPLY_GRACE_MS = 2000;

/** A write's outcome; for an indeterminate one, the reply that may still come (null: none will tell). */
export interface Attempt {
  outcome: WriteOutcome;
  late?: Promise<LateReply['outcome'] | null>;
}

/** The promise's value, or TIMEOUT when it takes longer than `ms`. */
export function within<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMEOUT> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<typeof TIMEOUT>((resolve) => (timer = setTimeout(() => resolve(TIMEOUT), ms))),
  ]).finally(() => clearTimeout(timer));
}

/**
 * A drill's workload: writers that add unique values at a steady pace and readers, each loop
 * recording every outcome in the ledger. Subclasses open their clients and start their loops in
 * `open()`, and close them in `close()`; pacing, timeouts, the ledger and the stop are here.
 */
export abstract class Writers {
  readonly ledger = new Ledger();
  private current: WritersState = 'idle';
  private readonly loops: Promise<void>[] = [];
  private readonly pendingLate = new Set<Promise<void>>();

  /** @param log where state changes are said (`running -> stopping`); nowhere by default */
  constructor(private readonly log: (line: string) => void = () => undefined) {}

  get state(): WritersState {
    return this.current;
  }

  private setState(next: WritersState): void {
    this.log(`writers: ${this.current} -> ${next}`);
    this.current = next;
  }

  /** Opens the clients and starts the loops (once); a failed start still needs `stop()`. */
  async start(): Promise<void> {
    if (this.current !== 'idle') throw new Error(`the writers cannot start when ${this.current}`);
    this.setState('running');
    await this.open();
  }

  /** Stops every loop (the last writes finish or time out) and closes every client; once. */
  async stop(): Promise<Ledger> {
    if (this.current === 'stopping' || this.current === 'stopped') return this.ledger;
    const started = this.current === 'running';
    this.setState('stopping');
    try {
      if (started) {
        await Promise.all(this.loops);
        await within(Promise.all(this.pendingLate), LATE_REPLY_GRACE_MS);
        await this.close();
      }
    } finally {
      // a close that found the ledger incomplete still leaves everything closed
      this.setState('stopped');
    }
    return this.ledger;
  }

  protected abstract open(): Promise<void>;
  protected abstract close(): Promise<void>;

  /** Read through a method: `stop()` changes the state while a loop awaits. */
  protected isRunning(): boolean {
    return this.current === 'running';
  }

  /**
   * Runs `step` every `intervalMs` until the stop, one at a time (a step that takes longer delays
   * the next, as a sequential client does); the first after `firstInMs`.
   */
  protected every(intervalMs: number, firstInMs: number, step: () => Promise<void>): void {
    const loop = async () => {
      let nextAt = Date.now() + firstInMs;
      while (this.isRunning()) {
        const wait = nextAt - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        if (!this.isRunning()) break;
        nextAt = Math.max(nextAt + intervalMs, Date.now());
        await step();
      }
    };
    this.loops.push(loop());
  }

  /** A writer's loop: `write` sends value `<writer>:<seq>` and says how it went. */
  protected writer(
    writer: number,
    intervalMs: number,
    write: (
      value: string,
      seq: number,
    ) => Promise<(Attempt & Pick<WriteRecord, 'node' | 'slot' | 'key'>) | null>,
  ): void {
    let seq = 0;
    this.every(intervalMs, Math.random() * intervalMs, async () => {
      const n = seq++;
      const value = `${String(writer)}:${String(n)}`;
      const startMs = Date.now();
      const result = await write(value, n);
      if (result === null) return;
      this.ledger.write({
        value,
        writer,
        startMs,
        endMs: Date.now(),
        outcome: result.outcome,
        ...(result.slot !== undefined ? { slot: result.slot } : {}),
        ...(result.key !== undefined ? { key: result.key } : {}),
        ...(result.node ? { node: result.node } : {}),
      });
      if (result.late) this.awaitLate(value, result.late);
    });
  }

  /** Keeps the reply to a write that timed out: it says whether the write was applied after all. */
  private awaitLate(value: string, late: Promise<LateReply['outcome'] | null>): void {
    const pending: Promise<void> = late.then((outcome) => {
      this.pendingLate.delete(pending);
      if (outcome !== null) this.ledger.late({ value, outcome, atMs: Date.now() });
    });
    this.pendingLate.add(pending);
  }

  /** A reader's loop: a read that throws or takes over `timeoutMs` counts as failed. */
  protected reader(intervalMs: number, timeoutMs: number, read: () => Promise<unknown>): void {
    this.every(intervalMs, 0, async () => {
      const startMs = Date.now();
      let ok: boolean;
      try {
        ok = (await within(read(), timeoutMs)) !== TIMEOUT;
      } catch {
        ok = false;
      }
      this.ledger.read({ startMs, endMs: Date.now(), ok });
    });
  }

  /**
   * A write's outcome: `ack` when answered in time, else what `classify` makes of the error; a
   * write with no answer in time is indeterminate, and its reply, if one still comes, is kept.
   * Once `connection` closed under the write, a refusal may answer ioredis's resend while the
   * first send was applied: it says nothing, so the write stays indeterminate (an OK still says
   * it was applied).
   */
  protected static async attempt(
    send: Promise<unknown>,
    timeoutMs: number,
    classify: (err: unknown) => WriteOutcome,
    connection?: { closed: Promise<void>; forget: () => void },
  ): Promise<Attempt> {
    let dropped = false;
    void connection?.closed.then(() => (dropped = true));
    const settled = send.then(
      () => 'ack' as const,
      (err: unknown): WriteOutcome => {
        const outcome = classify(err);
        return outcome === 'fail' && dropped ? 'indeterminate' : outcome;
      },
    );
    void settled.finally(() => connection?.forget());
    const outcome = await within(settled, timeoutMs);
    if (outcome !== TIMEOUT) return { outcome };
    // a reply or a refusal still coming says what happened to the write; nothing else does
    const late = settled.then((o) => (o === 'indeterminate' ? null : o));
    return { outcome: 'indeterminate', late };
  }
}

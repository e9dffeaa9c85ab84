/** Every legal move, as a table: the states each state may move to. */
export type Moves<S extends string> = Readonly<Record<S, readonly S[]>>;

/** A lifecycle at one moment: its state, since when, and the last failure not yet cleared. */
export interface LifecycleSnapshot<S extends string> {
  state: S;
  /** When it entered `state` (ms since epoch). */
  sinceMs: number;
  /** Why the last attempt failed, one sentence; null once cleared (a link clears it when ready). */
  lastError: string | null;
}

/** One move, as `change` listeners receive it. */
export interface Move<S extends string> {
  from: S;
  to: S;
}

/** Raised on a move the table does not allow: a bug in the caller, never a network condition. */
export class IllegalMoveError extends Error {
  constructor(what: string, from: string, to: string) {
    super(`${what}: no move from ${from} to ${to}`);
    this.name = 'IllegalMoveError';
  }
}

/**
 * One state with the one place that changes it: `setState` checks the move against the table,
 * records when it happened and tells every listener (`from -> to`). Moving to the current state is not
 * a move and tells no one. Pure apart from the clock, which tests can pass.
 */
export class Lifecycle<S extends string> {
  private current: S;
  private readonly listeners = new Set<(move: Move<S>) => void>();
  private since: number;
  private error: string | null = null;

  constructor(
    /** Names the owner in an IllegalMoveError (`link 127.0.0.1:6379`). */
    private readonly what: string,
    private readonly moves: Moves<S>,
    initial: S,
    private readonly clock: () => number = Date.now,
  ) {
    this.current = initial;
    this.since = clock();
  }

  get state(): S {
    return this.current;
  }

  /** May `next` follow the current state? (The current state itself always may.) */
  allows(next: S): boolean {
    return next === this.current || this.moves[this.current].includes(next);
  }

  /** Moves to `next`; throws IllegalMoveError when the table does not allow it. */
  setState(next: S): void {
    const from = this.current;
    if (next === from) return;
    if (!this.moves[from].includes(next)) throw new IllegalMoveError(this.what, from, next);
    this.current = next;
    this.since = this.clock();
    for (const listener of [...this.listeners]) listener({ from, to: next });
  }

  /** Calls `listener` on every move until the returned function is called. */
  onChange(listener: (move: Move<S>) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** How many listeners wait for moves (tests check that waiters clean up). */
  get listenerCount(): number {
    return this.listeners.size;
  }

  /** Records why the last attempt failed, kept until `clearError` (on ready). */
  fail(reason: string): void {
    this.error = reason;
  }

  clearError(): void {
    this.error = null;
  }

  get lastError(): string | null {
    return this.error;
  }

  snapshot(): LifecycleSnapshot<S> {
    return { state: this.current, sinceMs: this.since, lastError: this.error };
  }

  /**
   * Resolves true on the next move, false when `ms` pass first: a caller waits for the
   * connection's own events instead of looking again on a timer.
   */
  nextMove(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const stop = this.onChange(() => {
        stop();
        clearTimeout(timer);
        resolve(true);
      });
      const timer = setTimeout(() => {
        stop();
        resolve(false);
      }, ms);
    });
  }
}

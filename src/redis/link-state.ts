import { EventEmitter } from 'node:events';

/**
 * A command link's lifecycle. `connecting`: the first connection is being made, calls wait for
 * it. `ready`: calls are sent. `reconnecting`: a ready connection closed (Sentinel kills every
 * client of a node it reconfigures; a restart), a new one is being made at once and calls wait for
 * it. `down`: the last attempt failed (refused, timed out, wrong password); the link keeps trying
 * with backoff and calls fail at once with that attempt's reason. `closed`: closed by its owner.
 */
export const linkStates = ['connecting', 'ready', 'reconnecting', 'down', 'closed'] as const;
export type LinkState = (typeof linkStates)[number];

/**
 * A Pub/Sub link's lifecycle. `subscribing`: connecting and subscribing the first time. `live`:
 * the server acknowledged the subscription, messages arrive. `resubscribing`: the connection was
 * lost; messages published meanwhile are missed until it is back. `closed`: closed by its owner.
 */
export const subscriptionStates = ['subscribing', 'live', 'resubscribing', 'closed'] as const;
export type SubscriptionState = (typeof subscriptionStates)[number];

/** Every legal move, as a table: the states each state may move to. */
export type Moves<S extends string> = Readonly<Record<S, readonly S[]>>;

export const LINK_MOVES: Moves<LinkState> = {
  connecting: ['ready', 'down', 'closed'],
  ready: ['reconnecting', 'down', 'closed'],
  reconnecting: ['ready', 'down', 'closed'],
  down: ['ready', 'closed'],
  closed: [],
};

export const SUBSCRIPTION_MOVES: Moves<SubscriptionState> = {
  subscribing: ['live', 'closed'],
  live: ['resubscribing', 'closed'],
  resubscribing: ['live', 'closed'],
  closed: [],
};

/** A lifecycle at one moment: its state, since when, and the last failure since it was ready. */
export interface LifecycleSnapshot<S extends string> {
  state: S;
  /** When it entered `state` (ms since epoch). */
  sinceMs: number;
  /** The last connection or subscription failure, one sentence; null once it is ready again. */
  lastError: string | null;
}

export interface LifecycleEvents<S extends string> {
  change: [{ from: S; to: S }];
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
 * records when it happened and emits `change` (`from -> to`). Moving to the current state is not
 * a move and emits nothing. Pure apart from the clock, which tests can pass.
 */
export class Lifecycle<S extends string> extends EventEmitter<LifecycleEvents<S>> {
  private current: S;
  private since: number;
  private error: string | null = null;

  constructor(
    /** Names the owner in an IllegalMoveError (`link 127.0.0.1:6379`). */
    private readonly what: string,
    private readonly moves: Moves<S>,
    initial: S,
    private readonly clock: () => number = Date.now,
  ) {
    super();
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
    this.emit('change', { from, to: next });
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
      const onChange = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.off('change', onChange);
        resolve(false);
      }, ms);
      this.once('change', onChange);
    });
  }
}

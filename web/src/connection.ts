import { assertNever } from '../../src/model/never.js';
import type { Session } from '../../src/server/contract.js';

/**
 * The dashboard's link to its server, as one state: the header's badge and the login prompt show
 * it. `logging-in` trades the token for a session (`session` null), then opens the stream;
 * `reconnecting` keeps the last session on screen while it logs in again and reopens the stream.
 */
export type Connection =
  | { status: 'no-token' }
  | {
      status: 'logging-in';
      token: string;
      session: Session | null;
      /** Failed attempts in a row; the next waits `backoffMs(failures)`. */
      failures: number;
      /** Why the last attempt failed, one sentence; null before any failed. */
      error: string | null;
    }
  | { status: 'rejected'; error: string }
  | { status: 'live'; token: string; session: Session }
  | { status: 'reconnecting'; token: string; session: Session; failures: number; error: string };

export type ConnectionEvent =
  /** A token from the printed URL, this tab's storage or the login prompt. */
  | { type: 'token'; token: string }
  /** The server traded the token for a session (and its cookie). */
  | { type: 'logged-in'; session: Session }
  /** The server refused the token. */
  | { type: 'refused'; error: string }
  /** The server could not be reached, or the stream broke: try again after a backoff. */
  | { type: 'failed'; error: string }
  /** The stream is open: pushes flow. */
  | { type: 'opened' };

export const NO_TOKEN: Connection = { status: 'no-token' };

/** The connection after `event`; an event that does not apply to the state leaves it as it is. */
export function transition(state: Connection, event: ConnectionEvent): Connection {
  switch (event.type) {
    case 'token':
      return { status: 'logging-in', token: event.token, session: null, failures: 0, error: null };
    case 'logged-in':
      if (state.status === 'logging-in' || state.status === 'reconnecting')
        return { ...state, session: event.session };
      return state;
    case 'refused':
      if (state.status === 'logging-in' || state.status === 'reconnecting')
        return { status: 'rejected', error: event.error };
      return state;
    case 'failed':
      if (state.status === 'live')
        return { ...state, status: 'reconnecting', failures: 1, error: event.error };
      if (state.status === 'reconnecting')
        return { ...state, failures: state.failures + 1, error: event.error };
      if (state.status === 'logging-in')
        // a session whose stream did not open is not trusted: the next attempt logs in again
        return { ...state, session: null, failures: state.failures + 1, error: event.error };
      return state;
    case 'opened':
      if (state.status === 'reconnecting')
        return { status: 'live', token: state.token, session: state.session };
      if (state.status === 'logging-in' && state.session)
        return { status: 'live', token: state.token, session: state.session };
      return state;
    default:
      return assertNever(event);
  }
}

/** The token the connection uses, when it has one. */
export function tokenOf(state: Connection): string | null {
  return 'token' in state ? state.token : null;
}

/** Options of the reconnection backoff. */
export interface BackoffOptions {
  /** Wait after the first failure. @default 500 */
  firstMs: number;
  /** The longest wait: a server back after a restart is found within this. @default 5000 */
  maxMs: number;
  /** Share of each wait drawn at random, so many tabs do not retry in step. @default 0.2 */
  jitter: number;
}

const DEFAULT_BACKOFF: BackoffOptions = { firstMs: 500, maxMs: 5000, jitter: 0.2 };

/** How long to wait after `failures` failures in a row (1 or more): doubling, capped at `maxMs`. */
export function backoffMs(
  failures: number,
  options: BackoffOptions = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const base = Math.min(
    options.maxMs,
    options.firstMs * 2 ** Math.min(Math.max(failures - 1, 0), 30),
  );
  return Math.round(base * (1 - options.jitter * random()));
}

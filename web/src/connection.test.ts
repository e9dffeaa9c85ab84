import { describe, expect, it } from 'vitest';
import type { Session } from '../../src/server/contract.js';
import type { Connection, ConnectionEvent } from './connection.js';
import { NO_TOKEN, backoffMs, tokenOf, transition } from './connection.js';

const SESSION: Session = { role: 'admin', readOnly: false };

function run(events: ConnectionEvent[], from: Connection = NO_TOKEN): Connection {
  return events.reduce(transition, from);
}

describe('transition', () => {
  it('goes live once the token is traded and the stream opens', () => {
    const trading = run([{ type: 'token', token: 't' }]);
    expect(trading).toEqual({
      status: 'logging-in',
      token: 't',
      session: null,
      failures: 0,
      error: null,
    });
    // a session alone is not live yet: the stream has not opened
    expect(transition(trading, { type: 'opened' })).toBe(trading);
    const live = run([{ type: 'logged-in', session: SESSION }, { type: 'opened' }], trading);
    expect(live).toEqual({ status: 'live', token: 't', session: SESSION });
  });

  it('counts failures while logging in, and forgets a session whose stream did not open', () => {
    const state = run([
      { type: 'token', token: 't' },
      { type: 'failed', error: 'the server could not be reached' },
      { type: 'logged-in', session: SESSION },
      { type: 'failed', error: 'the live stream could not be opened' },
    ]);
    expect(state).toEqual({
      status: 'logging-in',
      token: 't',
      session: null,
      failures: 2,
      error: 'the live stream could not be opened',
    });
  });

  it('keeps the session on screen while reconnecting, and goes live again', () => {
    const live = run([
      { type: 'token', token: 't' },
      { type: 'logged-in', session: SESSION },
      { type: 'opened' },
    ]);
    const lost = run(
      [
        { type: 'failed', error: 'the live stream was cut' },
        { type: 'failed', error: 'the server could not be reached' },
      ],
      live,
    );
    expect(lost).toEqual({
      status: 'reconnecting',
      token: 't',
      session: SESSION,
      failures: 2,
      error: 'the server could not be reached',
    });
    const viewer: Session = { role: 'viewer', readOnly: true };
    expect(run([{ type: 'logged-in', session: viewer }, { type: 'opened' }], lost)).toEqual({
      status: 'live',
      token: 't',
      session: viewer,
    });
  });

  it('is rejected when the server refuses the token, first or after a restart', () => {
    const refused = { type: 'refused', error: 'That token was not accepted.' } as const;
    expect(run([{ type: 'token', token: 't' }, refused])).toEqual({
      status: 'rejected',
      error: 'That token was not accepted.',
    });
    const reconnecting = run([
      { type: 'token', token: 't' },
      { type: 'logged-in', session: SESSION },
      { type: 'opened' },
      { type: 'failed', error: 'the live stream was cut' },
      refused,
    ]);
    expect(reconnecting.status).toBe('rejected');
    expect(tokenOf(reconnecting)).toBeNull();
  });

  it('starts over with a new token from any state, and ignores events that do not apply', () => {
    const rejected: Connection = { status: 'rejected', error: 'no' };
    expect(transition(rejected, { type: 'token', token: 'u' })).toMatchObject({
      status: 'logging-in',
      token: 'u',
    });
    for (const event of [
      { type: 'opened' },
      { type: 'failed', error: 'x' },
      { type: 'refused', error: 'x' },
      { type: 'logged-in', session: SESSION },
    ] satisfies ConnectionEvent[]) {
      expect(transition(NO_TOKEN, event)).toBe(NO_TOKEN);
      expect(transition(rejected, event)).toBe(rejected);
    }
  });
});

describe('backoffMs', () => {
  const none = () => 0;
  it('doubles from the first wait and stays at the cap', () => {
    const waits = [1, 2, 3, 4, 5, 6, 50].map((n) => backoffMs(n, undefined, none));
    expect(waits).toEqual([500, 1000, 2000, 4000, 5000, 5000, 5000]);
  });

  it('takes off at most the jitter share, at random', () => {
    const options = { firstMs: 1000, maxMs: 8000, jitter: 0.2 };
    expect(backoffMs(1, options, () => 1)).toBe(800);
    expect(backoffMs(4, options, () => 0.5)).toBe(7200);
  });
});

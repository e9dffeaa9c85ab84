import { describe, expect, it } from 'vitest';
import type { Moves } from './lifecycle.js';
import { IllegalMoveError, Lifecycle } from './lifecycle.js';
import type { LinkState, SubscriptionState } from './links.js';
import { LINK_MOVES, linkStates, SUBSCRIPTION_MOVES, subscriptionStates } from './links.js';

function pairs<S extends string>(states: readonly S[]): [S, S][] {
  return states.flatMap((from) =>
    states.filter((to) => to !== from).map((to): [S, S] => [from, to]),
  );
}

/** A lifecycle put into `from` by legal moves only (every state here is reachable). */
function at<S extends string>(moves: Moves<S>, initial: S, from: S): Lifecycle<S> {
  const paths = new Map<S, S[]>([[initial, []]]);
  const queue: S[] = [initial];
  for (let state = queue.shift(); state !== undefined; state = queue.shift()) {
    for (const next of moves[state]) {
      if (paths.has(next)) continue;
      paths.set(next, [...(paths.get(state) ?? []), next]);
      queue.push(next);
    }
  }
  const path = paths.get(from);
  if (!path) throw new Error(`${from} is not reachable`);
  const lifecycle = new Lifecycle('test', moves, initial);
  for (const step of path) lifecycle.setState(step);
  return lifecycle;
}

describe('LINK_MOVES', () => {
  const legal = new Set([
    'connecting->ready',
    'connecting->down',
    'ready->reconnecting',
    'ready->down',
    'reconnecting->ready',
    'reconnecting->down',
    'down->ready',
    ...linkStates.filter((s) => s !== 'closed').map((s) => `${s}->closed`),
  ]);

  it.each(pairs<LinkState>(linkStates))('%s -> %s', (from, to) => {
    const lifecycle = at(LINK_MOVES, 'connecting', from);
    if (legal.has(`${from}->${to}`)) {
      lifecycle.setState(to);
      expect(lifecycle.state).toBe(to);
    } else {
      expect(() => lifecycle.setState(to)).toThrow(IllegalMoveError);
      expect(lifecycle.state).toBe(from);
    }
  });

  it('never leaves closed', () => {
    expect(LINK_MOVES.closed).toEqual([]);
  });

  it('reaches ready again only through a connection attempt, never from closed', () => {
    for (const state of linkStates) {
      expect(at(LINK_MOVES, 'connecting', state).allows('ready')).toBe(state !== 'closed');
    }
  });
});

describe('SUBSCRIPTION_MOVES', () => {
  const legal = new Set([
    'subscribing->live',
    'live->resubscribing',
    'resubscribing->live',
    'subscribing->closed',
    'live->closed',
    'resubscribing->closed',
  ]);

  it.each(pairs<SubscriptionState>(subscriptionStates))('%s -> %s', (from, to) => {
    const lifecycle = at(SUBSCRIPTION_MOVES, 'subscribing', from);
    if (legal.has(`${from}->${to}`)) {
      lifecycle.setState(to);
      expect(lifecycle.state).toBe(to);
    } else {
      expect(() => lifecycle.setState(to)).toThrow(IllegalMoveError);
    }
  });
});

describe('Lifecycle', () => {
  it('records when each state was entered, from its clock', () => {
    let now = 1000;
    const lifecycle = new Lifecycle('link a:1', LINK_MOVES, 'connecting', () => now);
    expect(lifecycle.snapshot()).toEqual({ state: 'connecting', sinceMs: 1000, lastError: null });
    now = 1500;
    lifecycle.setState('ready');
    now = 2500;
    lifecycle.setState('ready');
    expect(lifecycle.snapshot().sinceMs).toBe(1500);
  });

  it('emits every move once, from and to, and nothing for the current state', () => {
    const lifecycle = new Lifecycle('link a:1', LINK_MOVES, 'connecting');
    const moves: string[] = [];
    lifecycle.onChange(({ from, to }) => moves.push(`${from}->${to}`));
    lifecycle.setState('down');
    lifecycle.setState('down');
    lifecycle.setState('ready');
    lifecycle.setState('reconnecting');
    lifecycle.setState('closed');
    expect(moves).toEqual([
      'connecting->down',
      'down->ready',
      'ready->reconnecting',
      'reconnecting->closed',
    ]);
  });

  it('names the owner and both states in an illegal move', () => {
    const lifecycle = new Lifecycle('link 127.0.0.1:6379', LINK_MOVES, 'connecting');
    lifecycle.setState('closed');
    expect(() => lifecycle.setState('ready')).toThrow(
      'link 127.0.0.1:6379: no move from closed to ready',
    );
  });

  it('keeps the last failure until cleared', () => {
    const lifecycle = new Lifecycle('link a:1', LINK_MOVES, 'connecting');
    lifecycle.fail('a:1 refused the connection (nothing listens there)');
    lifecycle.setState('down');
    expect(lifecycle.snapshot().lastError).toBe(
      'a:1 refused the connection (nothing listens there)',
    );
    lifecycle.clearError();
    lifecycle.setState('ready');
    expect(lifecycle.snapshot().lastError).toBeNull();
  });

  it('wakes a waiter on the next move, or says no move came in time', async () => {
    const lifecycle = new Lifecycle('link a:1', LINK_MOVES, 'connecting');
    const waiting = lifecycle.nextMove(10_000);
    lifecycle.setState('ready');
    await expect(waiting).resolves.toBe(true);
    await expect(lifecycle.nextMove(5)).resolves.toBe(false);
    expect(lifecycle.listenerCount).toBe(0);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TrackerEffect, TrackerInput, TrackerState } from './tracker-state.js';
import {
  CONFIRM_FOR_MS,
  CONFIRM_RETRY_MS,
  observation,
  routedTo,
  transition,
} from './tracker-state.js';

const A = '127.0.0.1:6380';
const B = '127.0.0.1:6381';
const OLD = '127.0.0.1:6379';

const seen = (agreed: string | null, nowMs = 0): TrackerInput => ({
  type: 'observed',
  sentinelsSilent: false,
  agreed,
  nowMs,
});
const silent = (nowMs = 0): TrackerInput => ({
  type: 'observed',
  sentinelsSilent: true,
  agreed: null,
  nowMs,
});
const role = (addr: string, r: string, nowMs = 0): TrackerInput => ({
  type: 'role',
  addr,
  role: r,
  nowMs,
});

/** Feeds `inputs` in turn; the last state and every effect on the way. */
function run(
  inputs: TrackerInput[],
  from: TrackerState = { kind: 'no-master' },
): { state: TrackerState; effects: TrackerEffect[] } {
  let state = from;
  const effects: TrackerEffect[] = [];
  for (const input of inputs) {
    const step = transition(state, input);
    state = step.state;
    effects.push(...step.effects);
  }
  return { state, effects };
}

const following = (master: string): TrackerState => ({ kind: 'following', master });
const ask = (addr: string): TrackerEffect => ({ type: 'ask-role', addr });
const switched = (from: string | null, to: string | null): TrackerEffect => ({
  type: 'switch',
  from,
  to,
});

describe('the master tracker, as a transition function', () => {
  it('confirms the master the sentinels agree on by its ROLE before any write goes there', () => {
    const asked = transition({ kind: 'no-master' }, seen(A, 1000));
    expect(asked).toEqual({
      state: {
        kind: 'confirming',
        candidate: A,
        routed: null,
        deadlineMs: 1000 + CONFIRM_FOR_MS,
        asking: true,
      },
      effects: [ask(A)],
    });
    expect(routedTo(asked.state)).toBeNull();
    expect(transition(asked.state, role(A, 'master', 1010))).toEqual({
      state: following(A),
      effects: [switched(null, A)],
    });
  });

  it('asks a candidate that does not say master yet again until CONFIRM_FOR_MS, writes staying where they were', () => {
    let { state } = run([seen(B, 0)], following(A));
    expect(state).toMatchObject({ kind: 'confirming', candidate: B, routed: A });
    for (let t = 10; t <= CONFIRM_FOR_MS; t += 1000) {
      const answer = transition(state, role(B, 'slave', t));
      expect(answer.effects).toEqual([{ type: 'retry-in', ms: CONFIRM_RETRY_MS }]);
      expect(routedTo(answer.state)).toBe(A);
      const retry = transition(answer.state, { type: 'retry' });
      expect(retry.effects).toEqual([ask(B)]);
      state = retry.state;
    }
    expect(transition(state, role(B, 'master', CONFIRM_FOR_MS))).toEqual({
      state: following(B),
      effects: [switched(A, B)],
    });
  });

  it('sends writes nowhere once an agreed candidate fails to say master within CONFIRM_FOR_MS', () => {
    const { state } = run([seen(B, 0)], following(A));
    expect(transition(state, role(B, 'slave', CONFIRM_FOR_MS + 1))).toEqual({
      state: { kind: 'no-master' },
      effects: [switched(A, null)],
    });
    // with nothing routed before, there is no switch to report
    const fresh = run([seen(B, 0), role(B, 'unreachable', CONFIRM_FOR_MS + 1)]);
    expect(fresh).toEqual({ state: { kind: 'no-master' }, effects: [ask(B)] });
  });

  it('never chooses an old master restarted as master without the sentinels agreeing on it', () => {
    // the old master says master, the sentinels agree on A: only A is ever asked
    const { state, effects } = run([seen(A), role(OLD, 'master'), role(A, 'master')]);
    expect(state).toEqual(following(A));
    expect(effects).toEqual([ask(A), switched(null, A)]);
    // while following, or confirming another, its word is ignored
    expect(transition(following(A), role(OLD, 'master'))).toEqual({
      state: following(A),
      effects: [],
    });
    const confirming = run([seen(B)], following(A)).state;
    expect(transition(confirming, role(OLD, 'master'))).toEqual({
      state: confirming,
      effects: [],
    });
  });

  it('stops writes at once when the sentinels agree on no master', () => {
    expect(transition(following(A), seen(null))).toEqual({
      state: { kind: 'no-master' },
      effects: [switched(A, null)],
    });
    const confirming = run([seen(B)], following(A)).state;
    expect(transition(confirming, seen(null))).toEqual({
      state: { kind: 'no-master' },
      effects: [switched(A, null)],
    });
  });

  it('keeps confirming the same candidate without asking twice, and drops it when the sentinels move on', () => {
    const confirming = run([seen(B, 0)], following(A)).state;
    expect(transition(confirming, seen(B, 500))).toEqual({ state: confirming, effects: [] });
    // back to the master writes go to: no switch, and the late answer of B counts no more
    const back = transition(confirming, seen(A));
    expect(back).toEqual({ state: following(A), effects: [] });
    expect(transition(back.state, role(B, 'master'))).toEqual({
      state: following(A),
      effects: [],
    });
    // on to another: a new confirmation with its own deadline
    expect(transition(confirming, seen(OLD, 700))).toEqual({
      state: {
        kind: 'confirming',
        candidate: OLD,
        routed: A,
        deadlineMs: 700 + CONFIRM_FOR_MS,
        asking: true,
      },
      effects: [ask(OLD)],
    });
  });

  it('ignores a retry when nothing waits for one, and an answer it did not wait for', () => {
    const confirming = run([seen(B)], following(A)).state;
    expect(transition(confirming, { type: 'retry' })).toEqual({ state: confirming, effects: [] });
    expect(transition(following(A), { type: 'retry' })).toEqual({
      state: following(A),
      effects: [],
    });
    // two answers to one question: the second (asking is over) changes nothing
    const waiting = transition(confirming, role(B, 'slave', 1)).state;
    expect(transition(waiting, role(B, 'master', 2))).toEqual({ state: waiting, effects: [] });
  });

  it('keeps the last agreed master, while no sentinel answers, for as long as it says master', () => {
    let { state, effects } = run([silent()], following(A));
    expect(state).toEqual({ kind: 'own-word', master: A, check: 'asking' });
    expect(effects).toEqual([ask(A)]);
    for (let i = 0; i < 5; i++) {
      ({ state, effects } = run([role(A, 'master'), silent()], state));
      expect(routedTo(state)).toBe(A);
      expect(effects).toEqual([ask(A)]);
    }
    expect(transition(state, role(A, 'slave'))).toEqual({
      state: { kind: 'no-master' },
      effects: [switched(A, null)],
    });
    expect(transition(state, role(A, 'unreachable')).effects).toEqual([switched(A, null)]);
  });

  it('counts an own-word answer only when no observation came while it was asked', () => {
    const asking = run([silent()], following(A)).state;
    const stale = transition(asking, silent());
    expect(stale).toEqual({ state: { kind: 'own-word', master: A, check: 'stale' }, effects: [] });
    const after = transition(stale.state, role(A, 'unreachable'));
    expect(after).toEqual({ state: { kind: 'own-word', master: A, check: 'idle' }, effects: [] });
    // the next observation asks again
    expect(transition(after.state, silent()).effects).toEqual([ask(A)]);
  });

  it('keeps a master being confirmed out of own-word: the one writes went to is the one kept', () => {
    const confirming = run([seen(B)], following(A)).state;
    expect(transition(confirming, silent())).toEqual({
      state: { kind: 'own-word', master: A, check: 'asking' },
      effects: [ask(A)],
    });
    const unrouted = run([seen(B)]).state;
    expect(transition(unrouted, silent())).toEqual({ state: { kind: 'no-master' }, effects: [] });
    expect(transition({ kind: 'no-master' }, silent())).toEqual({
      state: { kind: 'no-master' },
      effects: [],
    });
  });

  it('follows the sentinels again when they answer', () => {
    const own = run([silent()], following(A)).state;
    expect(transition(own, seen(A))).toEqual({ state: following(A), effects: [] });
    expect(transition(own, seen(B, 9))).toEqual({
      state: {
        kind: 'confirming',
        candidate: B,
        routed: A,
        deadlineMs: 9 + CONFIRM_FOR_MS,
        asking: true,
      },
      effects: [ask(B)],
    });
    expect(transition(own, seen(null))).toEqual({
      state: { kind: 'no-master' },
      effects: [switched(A, null)],
    });
    // the own-word answer arriving after that counts no more
    expect(transition(following(A), role(A, 'slave'))).toEqual({
      state: following(A),
      effects: [],
    });
  });

  it('stops from every state, keeps where writes went, and nothing moves it after', () => {
    const states: TrackerState[] = [
      { kind: 'no-master' },
      following(A),
      run([seen(B)], following(A)).state,
      run([silent()], following(A)).state,
    ];
    for (const state of states) {
      const stopped = transition(state, { type: 'stop' });
      expect(stopped).toEqual({
        state: { kind: 'stopped', last: routedTo(state) },
        effects: [],
      });
      for (const input of [
        seen(B),
        silent(),
        role(B, 'master'),
        role(routedTo(state) ?? A, 'slave'),
        { type: 'retry' } as const,
        { type: 'stop' } as const,
      ])
        expect(transition(stopped.state, input)).toEqual(stopped);
    }
  });

  it('only ever routes to the latest agreed master, and only after it said master itself', () => {
    const addr = fc.constantFrom(A, B, OLD);
    const input: fc.Arbitrary<TrackerInput> = fc.oneof(
      fc.record({
        type: fc.constant('observed' as const),
        sentinelsSilent: fc.boolean(),
        agreed: fc.option(addr, { nil: null }),
        nowMs: fc.nat(20_000),
      }),
      fc.record({
        type: fc.constant('role' as const),
        addr,
        role: fc.constantFrom('master', 'slave', 'unreachable'),
        nowMs: fc.nat(20_000),
      }),
      fc.constant({ type: 'retry' } as const),
    );
    fc.assert(
      fc.property(fc.array(input, { maxLength: 40 }), (inputs) => {
        let state: TrackerState = { kind: 'no-master' };
        let lastSeen: Extract<TrackerInput, { type: 'observed' }> | null = null;
        for (const i of inputs) {
          const step = transition(state, i);
          if (i.type === 'observed') lastSeen = i;
          for (const e of step.effects) {
            if (e.type !== 'switch') continue;
            expect(e.from).toBe(routedTo(state));
            expect(e.to).toBe(routedTo(step.state));
            if (e.to === null) continue;
            expect(i.type === 'role' && i.addr === e.to && i.role === 'master').toBe(true);
            expect(lastSeen?.sentinelsSilent).toBe(false);
            expect(lastSeen?.agreed).toBe(e.to);
          }
          // writes move only with a switch
          if (!step.effects.some((e) => e.type === 'switch'))
            expect(routedTo(step.state)).toBe(routedTo(state));
          state = step.state;
        }
      }),
    );
  });
});

describe('observation', () => {
  const up = { up: true };
  const down = { up: false };
  it('calls the sentinels silent only when some are configured and none answers', () => {
    expect(observation([down, down], null, 5)).toEqual({
      type: 'observed',
      sentinelsSilent: true,
      agreed: null,
      nowMs: 5,
    });
    expect(observation([down, up], A, 5)).toMatchObject({
      sentinelsSilent: false,
      agreed: A,
    });
    expect(observation([], null, 5).sentinelsSilent).toBe(false);
  });
});

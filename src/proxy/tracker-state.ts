import type { Addr } from '../model/index.js';

/** How long a master the sentinels agree on may take to say `role:master` (a promotion under way). */
export const CONFIRM_FOR_MS = 5000;
/** How often a candidate that does not say `role:master` yet is asked again. */
export const CONFIRM_RETRY_MS = 50;

/**
 * Where the proxy sends writes, and why.
 * - `no-master`: nowhere (no agreement yet, or the agreed master never said master).
 * - `following`: the master the sentinels agree on, confirmed by its own ROLE.
 * - `confirming`: the sentinels agree on `candidate`; until it says master, writes still go to
 *   `routed` (the master before, or none). `asking`: a ROLE of it is under way.
 * - `own-word`: no sentinel answers; the last agreed master is kept while it says master itself.
 *   `check`: whether its ROLE is being asked, and `stale` when an observation came meanwhile
 *   (that answer then no longer counts).
 * - `stopped`: terminal; `last` is where writes went when it stopped.
 */
export type TrackerState =
  | { kind: 'no-master' }
  | { kind: 'following'; master: Addr }
  | {
      kind: 'confirming';
      candidate: Addr;
      routed: Addr | null;
      deadlineMs: number;
      asking: boolean;
    }
  | { kind: 'own-word'; master: Addr; check: 'idle' | 'asking' | 'stale' }
  | { kind: 'stopped'; last: Addr | null };

export type TrackerPhase = TrackerState['kind'];

/** What the tracker learns: an observation of the sentinels, a node's ROLE, a timer, a stop. */
export type TrackerInput =
  | {
      type: 'observed';
      /** Sentinels are configured and none of them answers. */
      sentinelsSilent: boolean;
      /** The master a quorum of the sentinels agree on. */
      agreed: Addr | null;
      nowMs: number;
    }
  /** A node's answer to ROLE: its first element, `unreachable` when it gave none. */
  | { type: 'role'; addr: Addr; role: string; nowMs: number }
  /** The pause asked for by `retry-in` is over. */
  | { type: 'retry' }
  | { type: 'stop' };

/** What the I/O shell does after a transition. */
export type TrackerEffect =
  | { type: 'ask-role'; addr: Addr }
  | { type: 'retry-in'; ms: number }
  | { type: 'switch'; from: Addr | null; to: Addr | null };

export interface TrackerStep {
  state: TrackerState;
  effects: TrackerEffect[];
}

const NO_MASTER: TrackerState = { kind: 'no-master' };

/** The tracker's input for one observation: the sentinels as seen, and what a quorum agree on. */
export function observation(
  sentinels: readonly { up: boolean }[],
  agreed: Addr | null,
  nowMs: number,
): Extract<TrackerInput, { type: 'observed' }> {
  return {
    type: 'observed',
    // none configured is not silence: there is simply nothing to agree
    sentinelsSilent: sentinels.length > 0 && !sentinels.some((s) => s.up),
    agreed,
    nowMs,
  };
}

/** Where writes go in `state` (null: nowhere). */
export function routedTo(state: TrackerState): Addr | null {
  switch (state.kind) {
    case 'no-master':
      return null;
    case 'following':
    case 'own-word':
      return state.master;
    case 'confirming':
      return state.routed;
    case 'stopped':
      return state.last;
  }
}

function switchTo(from: Addr | null, to: Addr | null): TrackerEffect[] {
  return from === to ? [] : [{ type: 'switch', from, to }];
}

function observed(
  state: TrackerState,
  input: Extract<TrackerInput, { type: 'observed' }>,
): TrackerStep {
  const routed = routedTo(state);
  if (input.sentinelsSilent) {
    // no sentinel to ask: the last agreed master stays while it says master itself, one check at
    // a time; an answer counts only if no observation came while it was asked
    if (routed === null) return { state: NO_MASTER, effects: [] };
    if (state.kind === 'own-word') {
      if (state.check === 'idle')
        return {
          state: { ...state, check: 'asking' },
          effects: [{ type: 'ask-role', addr: routed }],
        };
      return { state: { ...state, check: 'stale' }, effects: [] };
    }
    return {
      state: { kind: 'own-word', master: routed, check: 'asking' },
      effects: [{ type: 'ask-role', addr: routed }],
    };
  }
  const agreed = input.agreed;
  if (agreed === routed)
    return {
      state: agreed === null ? NO_MASTER : { kind: 'following', master: agreed },
      effects: [],
    };
  if (agreed === null) return { state: NO_MASTER, effects: switchTo(routed, null) };
  if (state.kind === 'confirming' && state.candidate === agreed) return { state, effects: [] };
  // a node that says master without the sentinels' agreement is never a candidate: only the
  // agreed one is asked, and writes move only once it confirms
  return {
    state: {
      kind: 'confirming',
      candidate: agreed,
      routed,
      deadlineMs: input.nowMs + CONFIRM_FOR_MS,
      asking: true,
    },
    effects: [{ type: 'ask-role', addr: agreed }],
  };
}

function answered(
  state: TrackerState,
  input: Extract<TrackerInput, { type: 'role' }>,
): TrackerStep {
  if (state.kind === 'confirming' && state.asking && input.addr === state.candidate) {
    if (input.role === 'master')
      return {
        state: { kind: 'following', master: state.candidate },
        effects: switchTo(state.routed, state.candidate),
      };
    // agreed on, but it does not say master: no writes anywhere until it does
    if (input.nowMs > state.deadlineMs)
      return { state: NO_MASTER, effects: switchTo(state.routed, null) };
    return {
      state: { ...state, asking: false },
      effects: [{ type: 'retry-in', ms: CONFIRM_RETRY_MS }],
    };
  }
  if (state.kind === 'own-word' && state.check !== 'idle' && input.addr === state.master) {
    if (state.check === 'asking' && input.role !== 'master')
      return { state: NO_MASTER, effects: switchTo(state.master, null) };
    return { state: { ...state, check: 'idle' }, effects: [] };
  }
  // an answer nobody waits for any more (the sentinels moved on meanwhile)
  return { state, effects: [] };
}

/**
 * The master tracker's decisions, without I/O: the next state and what to do, given the current
 * state and what was just learnt. `stopped` is terminal.
 */
export function transition(state: TrackerState, input: TrackerInput): TrackerStep {
  if (state.kind === 'stopped') return { state, effects: [] };
  switch (input.type) {
    case 'stop':
      return { state: { kind: 'stopped', last: routedTo(state) }, effects: [] };
    case 'observed':
      return observed(state, input);
    case 'role':
      return answered(state, input);
    case 'retry':
      if (state.kind !== 'confirming' || state.asking) return { state, effects: [] };
      return {
        state: { ...state, asking: true },
        effects: [{ type: 'ask-role', addr: state.candidate }],
      };
  }
}

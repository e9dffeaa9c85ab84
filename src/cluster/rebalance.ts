import type { Addr, ClusterState } from '../model/index.js';
import { UserError } from '../model/index.js';
import type { ClusterLinks } from './links.js';
import { readCluster } from './members.js';
import { planRebalance } from './plan.js';
import type { MoveProgress } from './reshard.js';
import { fixOpenSlots, moveSlots, MovesCancelled, settle } from './reshard.js';
import { resolveClusterNode } from './resolve.js';

export interface RebalanceResult {
  moves: { from: Addr; to: Addr; slots: number }[];
  keysMoved: number;
  ms: number;
}

export interface RebalanceOptions {
  /** Give slots to masters that own none too (a node just added). @default false */
  useEmptyMasters?: boolean;
  /** Called after each slot. */
  progress?: (p: MoveProgress & { from: Addr; to: Addr }) => void;
  /** Stops between two slots. */
  signal?: AbortSignal;
  /** Node (address, id, name) -> its share relative to the others; 0 empties it. @default 1 each */
  weights?: Map<string, number>;
  /** Local process names -> addresses, for `weights`. */
  names?: Map<string, Addr>;
  /** Called with a sentence for each slot an earlier interruption left open, once closed. */
  fixed?: (sentence: string) => void;
  /**
   * Called before anything changes, with the planned moves and the open slots to close first
   * (the plan is made again once they are closed); throws to stop.
   */
  approve?: (moves: RebalanceResult['moves'], openSlots: number) => Promise<void>;
}

/** The moves that even out `state`'s slots; refused while a master that takes part is down. */
function planOn(state: ClusterState, weights: Map<string, number>, useEmptyMasters: boolean) {
  const down = state.shards.filter(
    (s) =>
      s.master === null || s.masterFailed || !state.views.some((v) => v.addr === s.master && v.up),
  );
  const needed = down.filter((s) => s.slotCount > 0 || useEmptyMasters);
  if (needed.length > 0)
    throw new UserError(
      `rebalancing needs every master to answer, and ${needed.map((s) => s.master ?? s.masterId.slice(0, 8)).join(', ')} does not; fail it over or bring it back first`,
    );
  // an empty master takes part when asked for all of them, or given a weight of its own
  return planRebalance(
    state.shards
      .filter((s) => !down.includes(s))
      .filter((s) => s.slotCount > 0 || useEmptyMasters || (weights.get(s.masterId) ?? 0) > 0)
      .map((s) => ({ id: s.masterId, slots: s.slots, weight: weights.get(s.masterId) ?? 1 })),
    { useEmptyMasters: true },
  );
}

/**
 * Evens out the slots across masters, like `redis-cli --cluster rebalance`: plans the moves
 * (planRebalance), then moves slot by slot from the most-over master to the most-under one.
 * First closes any slot an earlier interrupted move left open.
 */
export async function rebalance(
  links: ClusterLinks,
  seeds: Addr[],
  options: RebalanceOptions,
): Promise<RebalanceResult> {
  const started = Date.now();
  let { state } = await readCluster(links, seeds);
  const weights = new Map<string, number>();
  for (const [text, weight] of options.weights ?? []) {
    if (!Number.isFinite(weight) || weight < 0)
      throw new UserError(`weight ${weight} for ${text} is not a number of 0 or more`, 2);
    const node = resolveClusterNode(state, text, options.names);
    if (!state.shards.some((s) => s.masterId === node.id))
      throw new UserError(`${node.addr} is a replica; weights are for masters`, 2);
    weights.set(node.id, weight);
  }
  // asked before anything changes, the open slots an interrupted move left included
  const first = planOn(state, weights, options.useEmptyMasters === true);
  const addrOf = (id: string) => state.addrs[id] ?? '';
  if (first.length > 0 || state.moves.length > 0)
    await options.approve?.(
      first.map((m) => ({ from: addrOf(m.fromId), to: addrOf(m.toId), slots: m.slots.length })),
      state.moves.length,
    );
  const fixed = await fixOpenSlots(links, seeds);
  for (const sentence of fixed) options.fixed?.(sentence);
  if (fixed.length > 0) ({ state } = await readCluster(links, seeds));
  const plan = fixed.length > 0 ? planOn(state, weights, options.useEmptyMasters === true) : first;
  const total = plan.reduce((sum, m) => sum + m.slots.length, 0);
  const moves: RebalanceResult['moves'] = [];
  let slotsDone = 0;
  let keysMoved = 0;
  for (const move of plan) {
    const from = { id: move.fromId, addr: state.addrs[move.fromId] ?? '' };
    const to = { id: move.toId, addr: state.addrs[move.toId] ?? '' };
    keysMoved += await moveSlots(links, state, from, to, move.slots, {
      signal: options.signal,
      done: { slots: slotsDone, keys: keysMoved, total },
      progress: (p) => options.progress?.({ ...p, from: from.addr, to: to.addr }),
    }).catch(async (err: unknown) => {
      if (!(err instanceof MovesCancelled)) throw err;
      await settle(links, seeds).catch(() => undefined);
      throw new UserError(
        `${err.message}; run the same rebalance again to finish it (${total - slotsDone - err.slotsMoved} of the planned slots are left)`,
      );
    });
    slotsDone += move.slots.length;
    moves.push({ from: from.addr, to: to.addr, slots: move.slots.length });
  }
  if (moves.length > 0) await settle(links, seeds);
  return { moves, keysMoved, ms: Date.now() - started };
}

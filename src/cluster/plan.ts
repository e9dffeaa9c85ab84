import type { SlotRange } from '../model/index.js';
import { rangeSize, slotsOf } from '../model/index.js';

/**
 * A master deviating less than this from its share (in percent) is balanced enough, as
 * `redis-cli --cluster rebalance --cluster-threshold` defaults to.
 */
const REBALANCE_THRESHOLD_PCT = 2;

/** A master as the rebalance planner sees it. */
export interface MasterShare {
  id: string;
  slots: SlotRange[];
  /** Its share relative to the others; 0 empties it. @default 1 */
  weight?: number;
}

export interface PlannedMove {
  fromId: string;
  toId: string;
  /** The slots to move, ascending. */
  slots: number[];
}

/** The first `count` slots of `ranges`, ascending (the ones redis-cli would move). */
export function pickSlots(ranges: SlotRange[], count: number): number[] {
  const picked: number[] = [];
  for (const [a, b] of [...ranges].sort((x, y) => x[0] - y[0])) {
    for (let s = a; s <= b && picked.length < count; s++) picked.push(s);
    if (picked.length >= count) break;
  }
  return picked;
}

/**
 * The moves that even out the slots across masters, as `redis-cli --cluster rebalance` plans
 * them (pure): each master's share is its weight's part of all owned slots (rounded down; the
 * rounding left over goes to receivers), and slots go from the most-over master to the
 * most-under one until every master has its share. Masters owning no slot take part only with
 * `useEmptyMasters`. Nothing moves while every master is within `thresholdPct` of its share.
 */
export function planRebalance(
  masters: MasterShare[],
  options: { useEmptyMasters?: boolean; thresholdPct?: number } = {},
): PlannedMove[] {
  const threshold = options.thresholdPct ?? REBALANCE_THRESHOLD_PCT;
  const nodes = masters
    .filter((m) => options.useEmptyMasters === true || rangeSize(m.slots) > 0)
    .map((m) => ({ id: m.id, count: rangeSize(m.slots), weight: m.weight ?? 1, slots: m.slots }));
  const total = nodes.reduce((sum, n) => sum + n.count, 0);
  const totalWeight = nodes.reduce((sum, n) => sum + n.weight, 0);
  if (nodes.length < 2 || total === 0 || totalWeight <= 0) return [];
  const planned = nodes.map((n) => {
    const expected = Math.floor((total * n.weight) / totalWeight);
    return { ...n, expected, balance: n.count - expected };
  });
  const offBy = (n: (typeof planned)[number]) =>
    n.expected === 0 ? (n.count > 0 ? Infinity : 0) : Math.abs((1 - n.count / n.expected) * 100);
  if (!planned.some((n) => offBy(n) > threshold)) return [];
  // rounding down leaves the shares short of the total: receivers take the rest, one slot each
  let surplus = planned.reduce((sum, n) => sum + n.balance, 0);
  while (surplus > 0) {
    const before = surplus;
    for (const n of planned) {
      if (surplus > 0 && n.balance < 0) {
        n.balance -= 1;
        surplus -= 1;
      }
    }
    if (surplus === before) {
      // no receiver at all (every master at or above its share): the biggest weight takes it
      const top = [...planned].sort((a, b) => b.weight - a.weight)[0];
      if (!top) break;
      top.balance -= surplus;
      surplus = 0;
    }
  }
  planned.sort((a, b) => a.balance - b.balance || a.id.localeCompare(b.id));
  const cursor = new Map(planned.map((n) => [n.id, 0]));
  const moves: PlannedMove[] = [];
  let dst = 0;
  let src = planned.length - 1;
  while (dst < src) {
    const to = planned[dst];
    const from = planned[src];
    if (!to || !from) break;
    const count = Math.min(-to.balance, from.balance);
    if (count > 0) {
      const start = cursor.get(from.id) ?? 0;
      const slots = slotsOf(from.slots).slice(start, start + count);
      cursor.set(from.id, start + count);
      moves.push({ fromId: from.id, toId: to.id, slots });
      to.balance += count;
      from.balance -= count;
    }
    if (to.balance >= 0) dst++;
    if (from.balance <= 0) src--;
  }
  return moves;
}

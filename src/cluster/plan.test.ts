import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { SlotRange } from '../model/index.js';
import { evenSlotRanges, rangeSize, SLOT_COUNT, slotsOf, toRanges } from '../model/index.js';
import type { MasterShare } from './plan.js';
import { pickSlots, planRebalance } from './plan.js';

/** The slot counts after applying the moves; every moved slot must be its source's. */
function apply(masters: MasterShare[], moves: ReturnType<typeof planRebalance>) {
  const owned = new Map(masters.map((m) => [m.id, new Set(slotsOf(m.slots))]));
  // one expect per slot made the property test take seconds (vitest's expect is not free)
  const notOwned: string[] = [];
  for (const move of moves) {
    for (const slot of move.slots) {
      if (owned.get(move.fromId)?.delete(slot) !== true) notOwned.push(`${move.fromId}:${slot}`);
      owned.get(move.toId)?.add(slot);
    }
  }
  expect(notOwned).toEqual([]);
  return new Map([...owned].map(([id, slots]) => [id, slots.size]));
}

const three: MasterShare[] = evenSlotRanges(3).map((r, i) => ({ id: `m${i}`, slots: [r] }));

describe('pickSlots', () => {
  it('takes the lowest slots across ranges', () => {
    const ranges: SlotRange[] = [
      [10, 12],
      [0, 1],
      [20, 30],
    ];
    expect(pickSlots(ranges, 4)).toEqual([0, 1, 10, 11]);
    expect(pickSlots(ranges, 0)).toEqual([]);
    expect(pickSlots(ranges, 100)).toHaveLength(16);
  });
});

describe('planRebalance', () => {
  it('moves nothing when every master is within the threshold', () => {
    expect(planRebalance(three)).toEqual([]);
    const slightly: MasterShare[] = [
      { id: 'a', slots: [[0, 5500]] },
      { id: 'b', slots: [[5501, 10922]] },
      { id: 'c', slots: [[10923, 16383]] },
    ];
    expect(planRebalance(slightly)).toEqual([]);
  });

  it('ignores an empty master unless asked to use it', () => {
    const withEmpty = [...three, { id: 'new', slots: [] as SlotRange[] }];
    expect(planRebalance(withEmpty)).toEqual([]);
    const moves = planRebalance(withEmpty, { useEmptyMasters: true });
    expect(moves.every((m) => m.toId === 'new')).toBe(true);
    const after = apply(withEmpty, moves);
    expect([...after.values()].reduce((a, b) => a + b, 0)).toBe(SLOT_COUNT);
    for (const count of after.values()) expect(count).toBeGreaterThanOrEqual(4095);
    expect(after.get('new')).toBe(4096);
  });

  it('moves from the most-over master to the most-under one first', () => {
    const skewed: MasterShare[] = [
      { id: 'a', slots: [[0, 9999]] },
      { id: 'b', slots: [[10000, 14999]] },
      { id: 'c', slots: [[15000, 16383]] },
    ];
    const moves = planRebalance(skewed);
    expect(moves[0]).toMatchObject({ fromId: 'a', toId: 'c' });
    const after = apply(skewed, moves);
    for (const count of after.values()) expect(Math.abs(count - SLOT_COUNT / 3)).toBeLessThan(2);
  });

  it('empties a master weighted 0', () => {
    const moves = planRebalance(three.map((m) => (m.id === 'm1' ? { ...m, weight: 0 } : m)));
    const after = apply(three, moves);
    expect(after.get('m1')).toBe(0);
    expect(after.get('m0')).toBe(8192);
    expect(after.get('m2')).toBe(8192);
  });

  it('never moves a slot twice, and leaves every master within a few slots of its share', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 6000 }), { minLength: 2, maxLength: 8 }),
        (sizes) => {
          let next = 0;
          const masters: MasterShare[] = sizes.map((size, i) => {
            const slots = toRanges(
              Array.from({ length: size }, (_, k) => next + k).filter((s) => s < SLOT_COUNT),
            );
            next += size;
            return { id: `n${i}`, slots };
          });
          const moves = planRebalance(masters, { useEmptyMasters: true, thresholdPct: 0 });
          const moved = moves.flatMap((m) => m.slots);
          expect(new Set(moved).size).toBe(moved.length);
          const after = apply(masters, moves);
          const total = masters.reduce((sum, m) => sum + rangeSize(m.slots), 0);
          if (total === 0) return;
          const share = total / masters.length;
          for (const count of after.values())
            expect(Math.abs(count - share)).toBeLessThan(masters.length + 1);
        },
      ),
      { numRuns: 25 },
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SLOT_COUNT } from '../../src/model/slots.js';
import { ADDR, cluster, FAILED_OVER, HEALTHY, ID } from './cluster.fixture.js';
import {
  assignShardKeys,
  legend,
  MAP_COLUMNS,
  rangeRects,
  segmentAt,
  segments,
  shardColor,
  slotAt,
  UNASSIGNED,
} from './slotmap.js';

describe('slot map geometry', () => {
  it('draws a range as at most three rectangles: the rest of a row, full rows, the start of one', () => {
    expect(rangeRects([0, 5460])).toEqual([
      { x: 0, y: 0, w: 256, h: 21 },
      { x: 0, y: 21, w: 85, h: 1 },
    ]);
    expect(rangeRects([5461, 10922])).toEqual([
      { x: 85, y: 21, w: 171, h: 1 },
      { x: 0, y: 22, w: 256, h: 20 },
      { x: 0, y: 42, w: 171, h: 1 },
    ]);
    expect(rangeRects([300, 300])).toEqual([{ x: 44, y: 1, w: 1, h: 1 }]);
    expect(rangeRects([0, SLOT_COUNT - 1])).toEqual([{ x: 0, y: 0, w: 256, h: 64 }]);
  });

  it('covers every slot of a range exactly once, and slotAt finds each cell', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: SLOT_COUNT - 1 }),
        fc.integer({ min: 0, max: 2000 }),
        (first, length) => {
          const last = Math.min(SLOT_COUNT - 1, first + length);
          const covered: number[] = [];
          for (const r of rangeRects([first, last]))
            for (let y = r.y; y < r.y + r.h; y++)
              for (let x = r.x; x < r.x + r.w; x++) covered.push(slotAt(x + 0.5, y + 0.5) ?? -1);
          covered.sort((a, b) => a - b);
          expect(covered).toEqual(Array.from({ length: last - first + 1 }, (_, i) => first + i));
        },
      ),
    );
    expect(slotAt(-0.1, 0)).toBeNull();
    expect(slotAt(MAP_COLUMNS, 0)).toBeNull();
    expect(slotAt(0, 64)).toBeNull();
    expect(slotAt(255.9, 63.9)).toBe(SLOT_COUNT - 1);
  });
});

describe('segments', () => {
  it('lists every slot once, owned ranges and unassigned gaps, and finds a slot in them', () => {
    const lines = { ...HEALTHY, m2: { role: 'master' as const, slots: '5461-6000 7000-10922' } };
    const all = segments(cluster({ lines }));
    expect(all.map((s) => [s.first, s.last, s.ownerId?.[0] ?? null])).toEqual([
      [0, 5460, '1'],
      [5461, 6000, '2'],
      [6001, 6999, null],
      [7000, 10922, '2'],
      [10923, 16383, '3'],
    ]);
    expect(segmentAt(all, 6500)?.ownerId).toBeNull();
    expect(segmentAt(all, 16383)?.ownerId).toBe(ID.m3);
    expect(segmentAt(all, 0)?.ownerId).toBe(ID.m1);
  });

  it('reads adjacent ranges of one owner as one', () => {
    const lines = { ...HEALTHY, m1: { role: 'master' as const, slots: '0-100 101-5460' } };
    expect(segments(cluster({ lines }))[0]).toEqual({ first: 0, last: 5460, ownerId: ID.m1 });
  });
});

describe('shard keys', () => {
  it('numbers shards by first slot at first, replicas taking their master’s key', () => {
    const keys = assignShardKeys(cluster());
    expect(keys).toEqual({
      [ID.m1]: 0,
      [ID.m2]: 1,
      [ID.m3]: 2,
      [ID.r1]: 0,
      [ID.r2]: 1,
      [ID.r3]: 2,
    });
  });

  it('keeps every key through a reshard that changes which shard comes first', () => {
    const before = assignShardKeys(cluster());
    const lines = {
      ...HEALTHY,
      m1: { role: 'master' as const, slots: '200-5460' },
      m2: { role: 'master' as const, slots: '0-199 5461-10922' },
    };
    expect(assignShardKeys(cluster({ lines }), before)).toEqual(before);
  });

  it('gives a promoted replica its shard’s key, shared with the failed old master, until it rejoins', () => {
    const before = assignShardKeys(cluster());
    const during = assignShardKeys(cluster({ lines: FAILED_OVER, down: ['m1'] }), before);
    expect(during[ID.r1]).toBe(0);
    expect(during[ID.m1]).toBe(0);
    const rejoined = { ...FAILED_OVER, m1: { role: 'slave' as const, of: 'r1' as const } };
    expect(assignShardKeys(cluster({ lines: rejoined }), during)).toEqual(before);
  });

  it('orders shards seen for the first time by their largest range, not by who owns slot 0', () => {
    const lines = {
      ...HEALTHY,
      m1: { role: 'master' as const, slots: '200-5460' },
      m2: { role: 'master' as const, slots: '0-199 5461-10922' },
    };
    expect(assignShardKeys(cluster({ lines }))).toEqual(assignShardKeys(cluster()));
  });

  it('gives a new master the lowest free key, and an unknown failed master its own', () => {
    const fresh = assignShardKeys(cluster({ lines: FAILED_OVER, down: ['m1'] }));
    expect(fresh[ID.r1]).toBe(0);
    expect(fresh[ID.m1]).toBe(3);
  });
});

describe('legend', () => {
  it('names each master owning slots with its count and colour, and the unassigned slots', () => {
    const state = cluster({
      lines: { ...HEALTHY, m2: { role: 'master', slots: '5461-10000' } },
    });
    const keys = assignShardKeys(state);
    const { entries, unassigned } = legend(state, keys);
    expect(entries.map((e) => [e.addr, e.slotCount])).toEqual([
      [ADDR.m1, 5461],
      [ADDR.m2, 4540],
      [ADDR.m3, 5461],
    ]);
    expect(unassigned).toBe(922);
    expect(new Set(entries.map((e) => e.color)).size).toBe(3);
    expect(shardColor(undefined)).toBe(UNASSIGNED);
    expect(shardColor(10)).toBe(shardColor(0));
  });
});

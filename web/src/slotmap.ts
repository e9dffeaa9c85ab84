import type { ClusterState, SlotMove } from '../../src/model/cluster.js';
import type { SlotRange } from '../../src/model/slots.js';
import { SLOT_COUNT } from '../../src/model/slots.js';

/** The slot map is a row-major grid: 256 slots a row, 64 rows. */
export const MAP_COLUMNS = 256;
export const MAP_ROWS = SLOT_COUNT / MAP_COLUMNS;

/** A rectangle of the grid, in cells. */
export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/**
 * The cells of an inclusive range as at most three rectangles (the rest of its first row, the
 * full rows, the start of its last row), so the map draws ranges, never 16384 cells.
 */
export function rangeRects([first, last]: SlotRange, columns = MAP_COLUMNS): Rect[] {
  const rowA = Math.floor(first / columns);
  const rowB = Math.floor(last / columns);
  const colA = first % columns;
  const colB = last % columns;
  if (rowA === rowB) return [{ x: colA, y: rowA, w: colB - colA + 1, h: 1 }];
  const rects: Rect[] = [];
  let top = rowA;
  if (colA > 0) {
    rects.push({ x: colA, y: rowA, w: columns - colA, h: 1 });
    top++;
  }
  const bottom = colB === columns - 1 ? rowB : rowB - 1;
  if (bottom >= top) rects.push({ x: 0, y: top, w: columns, h: bottom - top + 1 });
  if (colB < columns - 1) rects.push({ x: 0, y: rowB, w: colB + 1, h: 1 });
  return rects;
}

/** The slot under a point of the grid (in cells, fractions allowed); null outside it. */
export function slotAt(x: number, y: number, columns = MAP_COLUMNS): number | null {
  const col = Math.floor(x);
  const row = Math.floor(y);
  if (col < 0 || col >= columns || row < 0) return null;
  const slot = row * columns + col;
  return slot < SLOT_COUNT ? slot : null;
}

/** The cell of a slot. */
export function cellOf(slot: number, columns = MAP_COLUMNS): { x: number; y: number } {
  return { x: slot % columns, y: Math.floor(slot / columns) };
}

/**
 * Which shard each node belongs to, as a small number that gives its colour and its column on
 * the graph. Remembered between observations (`previous`), so a reshard recolours nothing and a
 * promoted replica keeps its shard's colour.
 */
export type ShardKeys = Record<string, number>;

/**
 * Shard keys for the cluster as observed now (pure). A master keeps its key, or inherits one of
 * its replicas' (it was promoted); new masters take the lowest free keys in the order of their
 * largest range; replicas take their master's. Two masters claiming one key: the one with slots keeps it, and a failed one without
 * slots shares it (the old master of a failed-over shard); any other takes a free key.
 */
export function assignShardKeys(cluster: ClusterState, previous: ShardKeys = {}): ShardKeys {
  const keys: ShardKeys = {};
  const claimed = new Map<number, string>();
  const unplaced: ClusterState['shards'] = [];
  // masters with the most slots claim first, so a promoted replica wins over its old master
  const shards = [...cluster.shards].sort((a, b) => b.slotCount - a.slotCount);
  for (const shard of shards) {
    const inherited =
      previous[shard.masterId] ??
      shard.replicas.map((r) => previous[r.id]).find((k) => k !== undefined);
    const holder = inherited === undefined ? undefined : claimed.get(inherited);
    const holderShard = cluster.shards.find((s) => s.masterId === holder);
    const shares =
      holderShard !== undefined &&
      shard.slotCount === 0 &&
      shard.masterFailed &&
      holderShard.slotCount > 0;
    if (inherited !== undefined && (holder === undefined || shares)) {
      keys[shard.masterId] = inherited;
      if (holder === undefined) claimed.set(inherited, shard.masterId);
    } else unplaced.push(shard);
  }
  // new masters by where most of their slots are (a reshard's sliver at slot 0 moves no
  // shard to the front), masters without slots last, each taking the lowest free key
  unplaced.sort((a, b) => homeSlot(a) - homeSlot(b));
  let next = 0;
  for (const shard of unplaced) {
    while (claimed.has(next)) next++;
    keys[shard.masterId] = next;
    claimed.set(next, shard.masterId);
  }
  for (const shard of cluster.shards) {
    const key = keys[shard.masterId];
    if (key === undefined) continue;
    for (const r of shard.replicas) keys[r.id] = key;
  }
  return keys;
}

/** The first slot of a shard's largest range; past the last slot when it owns none. */
function homeSlot(shard: ClusterState['shards'][number]): number {
  let best: SlotRange | null = null;
  for (const r of shard.slots) if (!best || r[1] - r[0] > best[1] - best[0]) best = r;
  return best ? best[0] : SLOT_COUNT;
}

/** Shard colours: distinct in light and dark themes, none of them the red of failures or grey. */
const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#59a14f',
  '#b07aa1',
  '#76b7b2',
  '#edc948',
  '#ff9da7',
  '#9c755f',
  '#2f4b7c',
  '#8cd17d',
] as const;

/** Slots nobody owns. */
export const UNASSIGNED = 'var(--unassigned)';

export function shardColor(key: number | undefined): string {
  if (key === undefined) return UNASSIGNED;
  return PALETTE[key % PALETTE.length] ?? UNASSIGNED;
}

/** A run of slots with one owner (null: unassigned). */
export interface Segment {
  first: number;
  last: number;
  ownerId: string | null;
}

/** Every slot exactly once, in order: the owned ranges and the unassigned gaps between them. */
export function segments(cluster: ClusterState): Segment[] {
  const owned = cluster.shards
    .flatMap((s) => s.slots.map(([first, last]) => ({ first, last, ownerId: s.masterId })))
    .sort((a, b) => a.first - b.first);
  const all: Segment[] = [];
  let at = 0;
  for (const s of owned) {
    if (s.first < at) continue;
    if (s.first > at) all.push({ first: at, last: s.first - 1, ownerId: null });
    const previous = all[all.length - 1];
    // adjacent ranges of one owner read as one
    if (previous && previous.ownerId === s.ownerId && previous.last === s.first - 1)
      previous.last = s.last;
    else all.push({ ...s });
    at = s.last + 1;
  }
  if (at < SLOT_COUNT) all.push({ first: at, last: SLOT_COUNT - 1, ownerId: null });
  return all;
}

/** The segment holding a slot (binary search over `segments()`). */
export function segmentAt(list: readonly Segment[], slot: number): Segment | null {
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = list[mid];
    if (!s) return null;
    if (slot < s.first) hi = mid - 1;
    else if (slot > s.last) lo = mid + 1;
    else return s;
  }
  return null;
}

export interface LegendEntry {
  masterId: string;
  addr: string | null;
  slotCount: number;
  color: string;
  failed: boolean;
}

/** One entry per master owning slots, in shard-key order, then the unassigned slots if any. */
export function legend(
  cluster: ClusterState,
  keys: ShardKeys,
): { entries: LegendEntry[]; unassigned: number } {
  const entries = cluster.shards
    .filter((s) => s.slotCount > 0)
    .map((s) => ({
      masterId: s.masterId,
      addr: s.master,
      slotCount: s.slotCount,
      color: shardColor(keys[s.masterId]),
      failed: s.masterFailed,
    }))
    .sort(
      (a, b) =>
        (keys[a.masterId] ?? Number.MAX_SAFE_INTEGER) -
        (keys[b.masterId] ?? Number.MAX_SAFE_INTEGER),
    );
  return { entries, unassigned: SLOT_COUNT - cluster.slotsCovered };
}

/** The open move of a slot, if it is MIGRATING or IMPORTING now. */
export function moveOf(cluster: ClusterState, slot: number): SlotMove | null {
  return cluster.moves.find((m) => m.slot === slot) ?? null;
}

/** Redis Cluster's key space: 16384 hash slots, a key's slot is CRC16 of its hash tag modulo 16384. */
export const SLOT_COUNT = 16384;

/** An inclusive range of slots, `[first, last]`. */
export type SlotRange = [number, number];

const CRC16_TABLE = (() => {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1;
    table[i] = crc & 0xffff;
  }
  return table;
})();

/** CRC16-CCITT (XMODEM), the checksum Redis Cluster hashes keys with. */
export function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes)
    crc = ((crc << 8) ^ (CRC16_TABLE[((crc >> 8) ^ byte) & 0xff] ?? 0)) & 0xffff;
  return crc;
}

/**
 * The part of a key that is hashed: the text between the first `{` and the next `}` when that is
 * not empty (a hash tag, so `{user1}.a` and `{user1}.b` share a slot), otherwise the whole key.
 */
export function hashTag(key: Uint8Array): Uint8Array {
  const open = key.indexOf(0x7b);
  if (open < 0) return key;
  const close = key.indexOf(0x7d, open + 1);
  if (close < 0 || close === open + 1) return key;
  return key.subarray(open + 1, close);
}

/** The slot a key lives in: CRC16 of the key (or its hash tag) mod 16384. */
export function keySlot(key: string | Uint8Array): number {
  const bytes = typeof key === 'string' ? new TextEncoder().encode(key) : key;
  return crc16(hashTag(bytes)) % SLOT_COUNT;
}

/** `count` masters get contiguous ranges of nearly equal size, as `redis-cli --cluster create` splits them. */
export function evenSlotRanges(count: number): SlotRange[] {
  const perNode = SLOT_COUNT / count;
  const ranges: SlotRange[] = [];
  let first = 0;
  for (let i = 0; i < count; i++) {
    const last = i === count - 1 ? SLOT_COUNT - 1 : Math.round(i * perNode + perNode - 1);
    ranges.push([first, last]);
    first = last + 1;
  }
  return ranges;
}

export function rangeSize(ranges: SlotRange[]): number {
  return ranges.reduce((sum, [a, b]) => sum + b - a + 1, 0);
}

/** Sorted slot numbers as the fewest inclusive ranges. */
export function toRanges(slots: Iterable<number>): SlotRange[] {
  const sorted = [...new Set(slots)].sort((a, b) => a - b);
  const ranges: SlotRange[] = [];
  for (const slot of sorted) {
    const last = ranges[ranges.length - 1];
    if (last && last[1] === slot - 1) last[1] = slot;
    else ranges.push([slot, slot]);
  }
  return ranges;
}

/** Every slot in the ranges, in order. */
export function slotsOf(ranges: SlotRange[]): number[] {
  const slots: number[] = [];
  for (const [a, b] of ranges) for (let s = a; s <= b; s++) slots.push(s);
  return slots;
}

/** `0-5460,5461` style, for tables and sentences. */
export function formatRanges(ranges: SlotRange[], max = 6): string {
  if (ranges.length === 0) return 'none';
  const parts = ranges.slice(0, max).map(([a, b]) => (a === b ? String(a) : `${a}-${b}`));
  if (ranges.length > max) parts.push(`... (${ranges.length - max} more ranges)`);
  return parts.join(',');
}

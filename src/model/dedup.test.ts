import { describe, expect, it } from 'vitest';
import type { Addr } from './address.js';
import { DEFAULT_DEDUP_WINDOW_MS, EventDeduplicator } from './dedup.js';

interface Item {
  seq: number;
  reporters: Addr[];
}

/** A deduplicator plus a record of what it created, so tests can count events. */
function harness(windowMs?: number) {
  const dedup = new EventDeduplicator<Item>(windowMs);
  const created: Item[] = [];
  const observe = (key: string, reporter: Addr, ms: number) =>
    dedup.observe(
      key,
      reporter,
      ms,
      () => {
        const item = { seq: created.length, reporters: [reporter] };
        created.push(item);
        return item;
      },
      (item) => item.reporters.push(reporter),
    );
  return { observe, created };
}

const S1 = '127.0.0.1:26390';
const S2 = '127.0.0.1:26391';
const S3 = '127.0.0.1:26392';
const SDOWN = '+sdown master mymaster 127.0.0.1 6390';

describe('EventDeduplicator', () => {
  it('has a 10 s default window', () => {
    expect(DEFAULT_DEDUP_WINDOW_MS).toBe(10_000);
    const { observe } = harness();
    observe(SDOWN, S1, 0);
    expect(observe(SDOWN, S2, 10_000).kind).toBe('merged');
    expect(observe(SDOWN, S3, 10_001).kind).toBe('new');
  });

  it('merges reports of the same event from three sentinels within the window', () => {
    const { observe, created } = harness();
    const first = observe(SDOWN, S1, 1000);
    const second = observe(SDOWN, S2, 1200);
    const third = observe(SDOWN, S3, 1900);
    expect([first.kind, second.kind, third.kind]).toEqual(['new', 'merged', 'merged']);
    expect(second.item).toBe(first.item);
    expect(third.item).toBe(first.item);
    expect(created).toHaveLength(1);
    expect(first.item.reporters).toEqual([S1, S2, S3]);
  });

  it('treats the same sentinel reporting again as a new event (a flap)', () => {
    const { observe, created } = harness();
    const first = observe(SDOWN, S1, 1000);
    const again = observe(SDOWN, S1, 1500);
    expect(again.kind).toBe('new');
    expect(again.item).not.toBe(first.item);
    expect(created).toHaveLength(2);
  });

  it('merges later reports from other sentinels into the flap, not the original', () => {
    const { observe } = harness();
    const first = observe(SDOWN, S1, 1000);
    const merged = observe(SDOWN, S2, 1100);
    const flap = observe(SDOWN, S1, 1500);
    const late = observe(SDOWN, S2, 1600);
    expect(merged.item).toBe(first.item);
    expect(late.kind).toBe('merged');
    expect(late.item).toBe(flap.item);
    expect(first.item.reporters).toEqual([S1, S2]);
    expect(flap.item.reporters).toEqual([S1, S2]);
  });

  it('starts a new event for a report after the window', () => {
    const { observe, created } = harness(5000);
    const first = observe(SDOWN, S1, 0);
    const late = observe(SDOWN, S2, 5001);
    expect(late.kind).toBe('new');
    expect(late.item).not.toBe(first.item);
    expect(created).toHaveLength(2);
  });

  it('measures the window from the first report, not the latest', () => {
    const { observe } = harness(5000);
    observe(SDOWN, S1, 0);
    expect(observe(SDOWN, S2, 4000).kind).toBe('merged');
    expect(observe(SDOWN, S3, 8000).kind).toBe('new');
  });

  it('includes the window edge', () => {
    const { observe } = harness(5000);
    observe(SDOWN, S1, 0);
    expect(observe(SDOWN, S2, 5000).kind).toBe('merged');
  });

  it('keeps different events apart', () => {
    const { observe, created } = harness();
    observe(SDOWN, S1, 0);
    const other = observe('+sdown master mymaster 127.0.0.1 6391', S2, 10);
    const odown = observe('+odown master mymaster 127.0.0.1 6390', S2, 20);
    expect(other.kind).toBe('new');
    expect(odown.kind).toBe('new');
    expect(created).toHaveLength(3);
  });

  it('forgets an expired event: its reporters may start and join a new one', () => {
    const { observe, created } = harness(1000);
    observe(SDOWN, S1, 0);
    observe(SDOWN, S2, 500);
    // another key's report moves the clock past the window and expires the first event
    observe('+odown master mymaster 127.0.0.1 6390', S3, 5000);
    const again = observe(SDOWN, S2, 5100);
    const joined = observe(SDOWN, S1, 5200);
    expect(again.kind).toBe('new');
    expect(joined.kind).toBe('merged');
    expect(joined.item).toBe(again.item);
    expect(again.item.reporters).toEqual([S2, S1]);
    expect(created).toHaveLength(3);
  });

  it('does not call merge for a new event or create for a merged one', () => {
    const dedup = new EventDeduplicator<string>();
    let creates = 0;
    let merges = 0;
    const create = () => `event-${++creates}`;
    const merge = () => {
      merges++;
    };
    expect(dedup.observe('k', S1, 0, create, merge)).toEqual({ kind: 'new', item: 'event-1' });
    expect(dedup.observe('k', S2, 1, create, merge)).toEqual({ kind: 'merged', item: 'event-1' });
    expect(creates).toBe(1);
    expect(merges).toBe(1);
  });
});

import { describe, expect, it } from 'vitest';
import { topology } from '../model/topology.fixture.js';
import type { ObserverStats } from '../observer/index.js';
import { freshnessOf, StaleWatch } from './freshness.js';

const stats: ObserverStats = {
  polls: 3,
  lastPollMs: 4,
  failedReads: 0,
  failedPolls: 2,
  failing: 'no node or sentinel answered',
  staleAfterMs: 3000,
};

describe('freshnessOf', () => {
  it('is stale past three intervals, and before the first observation', () => {
    const t = topology();
    expect(freshnessOf(stats, t, t.observedAtMs + 3000)).toEqual({
      ageMs: 3000,
      stale: false,
      staleAfterMs: 3000,
      failing: 'no node or sentinel answered',
      failedPolls: 2,
    });
    expect(freshnessOf(stats, t, t.observedAtMs + 3001).stale).toBe(true);
    expect(freshnessOf(stats, null, 0)).toMatchObject({ ageMs: null, stale: true });
  });
});

describe('StaleWatch', () => {
  it('tells when a deployment goes stale and when it is fresh again, once each', async () => {
    const staleness = new Map([
      ['a', false],
      ['b', false],
    ]);
    const told: string[] = [];
    let next: (() => void) | null = null;
    const watch = new StaleWatch(
      () => staleness.entries(),
      (name) => {
        told.push(`${name}:${String(staleness.get(name))}`);
        next?.();
      },
    );
    const change = () => new Promise<void>((resolve) => (next = resolve));
    watch.start();
    try {
      let told1 = change();
      staleness.set('a', true);
      await told1;
      told1 = change();
      staleness.set('a', false);
      await told1;
      expect(told).toEqual(['a:true', 'a:false']);
    } finally {
      watch.stop();
    }
  });
});

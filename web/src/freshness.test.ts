import { describe, expect, it } from 'vitest';
import { topology as sentinelTopology } from '../../src/model/topology.fixture.js';
import { staleNote } from './freshness.js';

const fresh = { ageMs: 800, stale: false, staleAfterMs: 3000, failing: null, failedPolls: 0 };
const topology = { ...sentinelTopology(), observedAtMs: Date.UTC(2026, 0, 2, 15, 4, 5) };

describe('staleNote', () => {
  it('says nothing while the data is current', () => {
    expect(staleNote({ observer: fresh, topology })).toBeNull();
  });

  it('says when stale data was observed (server time), and why polls fail', () => {
    expect(staleNote({ observer: { ...fresh, ageMs: 4200, stale: true }, topology })).toBe(
      'stale: what is shown was observed at 15:04:05 UTC and may no longer be true',
    );
    expect(
      staleNote({
        observer: { ...fresh, ageMs: 42_400, stale: true, failing: 'no node or sentinel answered' },
        topology,
      }),
    ).toBe(
      'stale: what is shown was observed at 15:04:05 UTC and may no longer be true; its polls fail: no node or sentinel answered',
    );
  });

  it('says when nothing was observed yet', () => {
    expect(staleNote({ observer: { ...fresh, ageMs: null, stale: true }, topology: null })).toBe(
      'quorum has not observed this deployment yet',
    );
  });
});

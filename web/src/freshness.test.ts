import { describe, expect, it } from 'vitest';
import { staleNote } from './freshness.js';

const fresh = { ageMs: 800, stale: false, staleAfterMs: 3000, failing: null, failedPolls: 0 };

describe('staleNote', () => {
  it('says nothing while the data is current', () => {
    expect(staleNote({ observer: fresh })).toBeNull();
  });

  it('says how old stale data is, and why polls fail', () => {
    expect(staleNote({ observer: { ...fresh, ageMs: 4200, stale: true } })).toBe(
      'stale: what is shown was observed 4.2 s ago and may no longer be true',
    );
    expect(
      staleNote({
        observer: { ...fresh, ageMs: 42_400, stale: true, failing: 'no node or sentinel answered' },
      }),
    ).toBe(
      'stale: what is shown was observed 42 s ago and may no longer be true; its polls fail: no node or sentinel answered',
    );
  });

  it('says when nothing was observed yet', () => {
    expect(staleNote({ observer: { ...fresh, ageMs: null, stale: true } })).toBe(
      'quorum has not observed this deployment yet',
    );
  });
});

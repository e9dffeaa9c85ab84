import { describe, expect, it } from 'vitest';
import { topology as sentinelTopology } from '../../src/model/topology.fixture.js';
import { staleNote, unreachableNote } from './freshness.js';

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

describe('unreachableNote', () => {
  const proc = (state: 'running' | 'stopped') => ({
    name: 'redis-1',
    kind: 'redis' as const,
    addr: '127.0.0.1:6390',
    pid: null,
    state,
  });
  it('says nothing while the deployment and the server answer', () => {
    expect(unreachableNote({ unreachable: null, processes: [proc('running')] }, null)).toBeNull();
  });

  it('says the deployment may be stopped, and how to start it, when the server is gone', () => {
    const note = unreachableNote({ unreachable: null, processes: [] }, 'connection refused');
    expect(note).toContain("The dashboard's server does not answer (connection refused)");
    expect(note).toContain('quorum up --dir');
  });

  it('says stopped when every process is, else unreachable with the reasons', () => {
    expect(
      unreachableNote(
        { unreachable: 'refused', processes: [proc('stopped'), proc('stopped')] },
        null,
      ),
    ).toMatch(/^The deployment is stopped: .* quorum up --dir/);
    expect(
      unreachableNote(
        { unreachable: '127.0.0.1:26390 refused', processes: [proc('running')] },
        null,
      ),
    ).toMatch(/^Unreachable: 127\.0\.0\.1:26390 refused\. If it was stopped with quorum down/);
  });
});

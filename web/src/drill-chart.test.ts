import { describe, expect, it } from 'vitest';
import { drillColumns, drillMarkers, gapCaption } from './drill-chart.js';

describe('drillColumns', () => {
  it('turns 250 ms buckets into writes per second on seconds around the fault', () => {
    const [x, acked, failed] = drillColumns({
      stepMs: 250,
      fromMs: -500,
      acked: [250, 10, 0],
      failed: [0, 5, 1],
    });
    expect(x).toEqual([-0.5, -0.25, 0]);
    expect(acked).toEqual([1000, 40, 0]);
    expect(failed).toEqual([0, 20, 4]);
  });
});

describe('drillMarkers', () => {
  it('marks the fault and the first of each Sentinel event that matters, in time order', () => {
    const markers = drillMarkers(
      [
        { type: '+switch-master', ms: 3200 },
        { type: '+sdown', ms: 2000 },
        { type: '+sdown', ms: 2100 },
        { type: '+vote-for-leader', ms: 2200 },
      ],
      true,
    );
    expect(markers.map((m) => [m.label, m.ms])).toEqual([
      ['fault', 0],
      ['+sdown', 2000],
      ['+switch-master', 3200],
    ]);
    expect(drillMarkers([], false)).toEqual([]);
  });
});

describe('a cluster run on the chart', () => {
  it("marks PFAIL, FAIL and the failover, and says the shading is the failed shard's slots only", () => {
    const markers = drillMarkers(
      [
        { type: 'quorum:node-pfail', ms: 2100 },
        { type: 'quorum:node-fail', ms: 2600 },
        { type: 'quorum:cluster-failover', ms: 3500 },
      ],
      true,
    );
    expect(markers.map((m) => m.label)).toEqual([
      'fault',
      'node-pfail',
      'node-fail',
      'cluster-failover',
    ]);
    expect(gapCaption({ kind: 'cluster', writeUnavailableMs: 8520 })).toMatch(
      /^shaded: 8\.52 s without an acknowledged write to the failed shard's slots/,
    );
    expect(gapCaption({ kind: 'sentinel', writeUnavailableMs: 7230 })).toBe(
      'shaded: 7.23 s without an acknowledged write',
    );
  });
});

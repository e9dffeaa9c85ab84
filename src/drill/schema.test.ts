import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { clusterRun, drillRun } from './run.fixture.js';
import { drillRunSchema, scenarioResultSchema, upgradeStoredRun } from './schema.js';
import { scenarioNamed } from './scenarios.js';
import { summarize } from './summary.js';
import { takeoverMs } from './types.js';

/** A run as JSON kept it before runs said their kind. */
function kept(run: object): Record<string, unknown> {
  const old = z.record(z.string(), z.unknown()).parse(JSON.parse(JSON.stringify(run)));
  delete old.kind;
  return old;
}

describe('drill run schema', () => {
  it("keeps Sentinel runs' fields and gives Cluster runs their own", () => {
    const sentinel = drillRunSchema.parse(JSON.parse(JSON.stringify(drillRun())));
    expect(sentinel).toMatchObject({
      kind: 'sentinel',
      sdownMs: 2010,
      odownMs: 2100,
      switchMasterMs: 3200,
    });
    const cluster = drillRunSchema.parse(JSON.parse(JSON.stringify(clusterRun())));
    expect(cluster).toMatchObject({
      kind: 'cluster',
      pfailMs: 2200,
      failMs: 2500,
      promotedMs: 3300,
    });
    expect(cluster).not.toHaveProperty('sdownMs');
  });

  it('reads a cluster run kept with PFAIL, FAIL and the promotion in the Sentinel fields', () => {
    const { pfailMs, failMs, promotedMs, ...rest } = kept(clusterRun());
    const old = { ...rest, sdownMs: pfailMs, odownMs: failMs, switchMasterMs: promotedMs };
    const run = drillRunSchema.parse(old);
    expect(run.kind).toBe('cluster');
    if (run.kind !== 'cluster') return;
    expect([run.pfailMs, run.failMs, run.promotedMs]).toEqual([2200, 2500, 3300]);
    expect(run).not.toHaveProperty('sdownMs');
    expect(run).not.toHaveProperty('switchMasterMs');
  });

  it('reads a Sentinel run kept without its kind as it was', () => {
    const run = drillRunSchema.parse(kept(drillRun()));
    expect(run).toMatchObject({ kind: 'sentinel', sdownMs: 2010, switchMasterMs: 3200 });
    expect(upgradeStoredRun('not a run')).toBe('not a run');
  });

  it('reads a run kept before late replies were recorded, with those counts unknown (null)', () => {
    const {
      indeterminateLost: _lost,
      lateAcked: _acked,
      lateAckedLost: _ackedLost,
      lateRefused: _refused,
      ...old
    } = kept(drillRun());
    expect([_lost, _acked, _ackedLost, _refused]).toEqual([0, 1, 0, 3]);
    const run = drillRunSchema.parse(old);
    expect(run).toMatchObject({
      indeterminateLost: null,
      lateAcked: null,
      lateAckedLost: null,
      lateRefused: null,
    });
    expect(drillRunSchema.parse(JSON.parse(JSON.stringify(drillRun())))).toMatchObject({
      lateAcked: 1,
      lateRefused: 3,
    });
  });

  it('refuses a cluster run without its cluster figures', () => {
    const { cluster: _facts, ...rest } = clusterRun();
    expect(_facts.nodeTimeoutMs).toBe(2000);
    expect(drillRunSchema.safeParse(rest).success).toBe(false);
  });

  it("summarises the takeover of each kind under the summary's switchMasterMs", () => {
    const kill = scenarioNamed('cluster-kill-master');
    if (!kill) throw new Error('no scenario cluster-kill-master');
    const result = summarize(kill, [clusterRun(), clusterRun({ promotedMs: 4100 })], 2000);
    expect(result.summary.switchMasterMs).toMatchObject({ min: 3300, max: 4100 });
    expect(scenarioResultSchema.parse(JSON.parse(JSON.stringify(result))).runs).toHaveLength(2);
    expect(takeoverMs(drillRun())).toBe(3200);
    expect(takeoverMs(clusterRun({ promotedMs: null }))).toBeNull();
  });
});

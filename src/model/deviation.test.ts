import { describe, expect, it } from 'vitest';
import { clusterDeviations, sentinelDeviations, verdictText } from './deviation.js';

const killMaster = { name: 'kill-master', expectFailover: true };

describe('sentinelDeviations: a verdict follows its own bound', () => {
  it('says a run 0.03 s under "down-after + 1 s" was sooner than usual, and why', () => {
    expect(sentinelDeviations(killMaster, { switchMasterMs: 5970 }, 5000)).toEqual([
      "+switch-master came 0.03 s sooner than the usual 6.00 s to 7.50 s (Sentinel counts down-after from the master's last reply, up to a second before the fault)",
    ]);
  });

  it('says nothing at either end of the range, and says a later one', () => {
    expect(sentinelDeviations(killMaster, { switchMasterMs: 6000 }, 5000)).toEqual([]);
    expect(sentinelDeviations(killMaster, { switchMasterMs: 7500 }, 5000)).toEqual([]);
    expect(sentinelDeviations(killMaster, { switchMasterMs: 7510 }, 5000)).toEqual([
      '+switch-master came 0.01 s later than the usual 6.00 s to 7.50 s',
    ]);
  });

  it('has no range for scenarios the docs give none, nor for a run with no failover', () => {
    expect(
      sentinelDeviations({ name: 'switchover', expectFailover: true }, { switchMasterMs: 1 }, 5000),
    ).toEqual([]);
    expect(sentinelDeviations(killMaster, { switchMasterMs: null }, 5000)).toEqual([]);
  });
});

describe('clusterDeviations', () => {
  it('holds the promotion to node-timeout + 1 s to 1.5 x node-timeout + 3 s', () => {
    const scenario = { expectFailover: true };
    expect(clusterDeviations(scenario, { promotedMs: 2500 }, 2000)).toEqual([
      'the replica was promoted 0.50 s sooner than the usual 3.00 s to 6.00 s',
    ]);
    expect(clusterDeviations(scenario, { promotedMs: 3000 }, 2000)).toEqual([]);
    expect(clusterDeviations(scenario, { promotedMs: 6000 }, 2000)).toEqual([]);
  });
});

describe('verdictText', () => {
  it('says what broke first, then how it differed, else "as expected"', () => {
    expect(verdictText({ violations: ['lost 3'], deviations: ['sooner'] })).toBe('lost 3');
    expect(verdictText({ violations: [], deviations: ['sooner'] })).toBe(
      "within Redis's rules; sooner",
    );
    expect(verdictText({ violations: [], deviations: [] })).toBe('as expected');
  });
});

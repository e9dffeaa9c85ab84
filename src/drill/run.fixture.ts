import type { DrillRun } from './runner.js';

/**
 * A drill run as tests need one: a kill-master failover that lost 2 of 90 acknowledged writes,
 * with the given fields replaced. Not part of the build (tsconfig.build.json skips *.fixture.ts).
 */
export function drillRun(overrides: Partial<DrillRun> = {}): DrillRun {
  return {
    faultAtMs: 0,
    byNode: [],
    writersIn: null,
    healMs: 8000,
    sdownMs: 2010,
    odownMs: 2100,
    switchMasterMs: 3200,
    firstWriteMs: 3400,
    writeUnavailableMs: 3300,
    writeUnavailableFromMs: 100,
    readUnavailableMs: 10,
    replicasFollowMs: 4000,
    oldMaster: '127.0.0.1:6390',
    newMaster: '127.0.0.1:6391',
    failover: true,
    replicasConverged: true,
    twoMastersMs: 0,
    minReplicasToWrite: 0,
    via: 'sentinel',
    attempted: 100,
    acknowledged: 90,
    failed: 5,
    indeterminate: 5,
    survived: 88,
    ackedLost: 2,
    ackedLostValues: ['0:41', '<script>'],
    indeterminatePresent: 2,
    failedPresent: 0,
    lossRate: 2 / 90,
    violations: [],
    injected: 'killed redis-1',
    healed: 'started redis-1',
    series: {
      stepMs: 250,
      fromMs: -1000,
      acked: [10, 10, 10, 10, 0, 0, 5, 10],
      failed: [0, 0, 0, 0, 2, 1, 0, 0],
    },
    events: [
      { type: '+sdown', ms: 2010, message: 'master mymaster 127.0.0.1 6390' },
      { type: '+switch-master', ms: 3200, message: 'mymaster 127.0.0.1 6390 127.0.0.1 6391' },
    ],
    ...overrides,
  };
}

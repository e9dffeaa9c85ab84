import type { ClusterFacts } from './types.js';
import type { ClusterRun, RunCommon, SentinelRun } from './types.js';

/**
 * A drill run as tests need one: a kill-master failover that lost 2 of 90 acknowledged writes,
 * with the given fields replaced. Not part of the build (tsconfig.build.json skips *.fixture.ts).
 */
export function drillRun(overrides: Partial<SentinelRun> = {}): SentinelRun {
  return {
    kind: 'sentinel',
    ...common(),
    sdownMs: 2010,
    odownMs: 2100,
    switchMasterMs: 3200,
    via: 'sentinel',
    ...overrides,
  };
}

/** The fields every kind of run has, as drillRun's kill-master run has them. */
function common(): RunCommon {
  return {
    faultAtMs: 0,
    byNode: [],
    writersIn: null,
    healMs: 8000,
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
    attempted: 100,
    acknowledged: 90,
    failed: 5,
    indeterminate: 5,
    survived: 88,
    ackedLost: 2,
    ackedLostValues: ['0:41', '<script>'],
    indeterminatePresent: 2,
    indeterminateLost: 0,
    lateAcked: 1,
    lateAckedLost: 0,
    lateRefused: 3,
    unansweredAfterFault: 0,
    unansweredExempted: 0,
    failedPresent: 0,
    lossRate: 2 / 90,
    violations: [],
    deviations: [],
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
  };
}

/**
 * A cluster-kill-master run as tests need one: the shard of 127.0.0.1:7000 failed over to
 * 127.0.0.1:7003 after 3.3 s (node-timeout 2000), with the given fields replaced.
 */
export function clusterRun(
  overrides: Partial<ClusterRun> = {},
  facts: Partial<ClusterFacts> = {},
): ClusterRun {
  return {
    ...common(),
    kind: 'cluster',
    pfailMs: 2200,
    failMs: 2500,
    promotedMs: 3300,
    firstWriteMs: 3400,
    writeUnavailableMs: 3350,
    replicasFollowMs: null,
    oldMaster: '127.0.0.1:7000',
    newMaster: '127.0.0.1:7003',
    minReplicasToWrite: 0,
    via: 'cluster',
    ackedLost: 0,
    survived: 90,
    ackedLostValues: [],
    lossRate: 0,
    events: [
      {
        type: 'quorum:node-pfail',
        ms: 2200,
        message: '127.0.0.1:7000 is flagged PFAIL by 127.0.0.1:7001',
      },
      { type: 'quorum:cluster-state', ms: 2500, message: 'the cluster state is fail (was ok)' },
      {
        type: 'quorum:cluster-failover',
        ms: 3300,
        message: '127.0.0.1:7003 replaced 127.0.0.1:7000 as master of 5461 slots (0-5460)',
      },
      { type: 'quorum:cluster-state', ms: 3300, message: 'the cluster state is ok (was fail)' },
    ],
    ...overrides,
    cluster: {
      nodeTimeoutMs: 2000,
      shard: '127.0.0.1:7000',
      slots: 5461,
      otherShardsUnavailableMs: 800,
      clusterFailMs: 800,
      clusterFailFromMs: 2500,
      shards: [
        {
          shard: '127.0.0.1:7000',
          masterAfter: '127.0.0.1:7003',
          slots: 5461,
          attempted: 40,
          acknowledged: 30,
          failed: 5,
          indeterminate: 5,
          ackedLost: 0,
          writeUnavailableMs: 3350,
        },
      ],
      reshard: null,
      appendonly: false,
      fullCoverage: true,
      oldMasterAfterFault: { acknowledged: 3, lost: 0 },
      ...facts,
    },
  };
}

import { describe, expect, it } from 'vitest';
import { agreeOnMaster, downNode, downSentinel } from '../model/index.js';
import type { Topology } from '../model/index.js';
import {
  MASTER,
  master,
  R1,
  R2,
  replica,
  S1,
  S2,
  S3,
  sentinel,
  topology,
  clusterTopology,
} from '../model/topology.fixture.js';
import { ALERT_RULES, FAILOVER_ALERT_MS } from './catalogue.js';
import { AlertEngine } from './engine.js';

const T0 = 1_700_000_000_000;
const R3 = '127.0.0.1:6393';

/** Evaluates `topology` at each of `times` (ms after T0); returns every transition as `kind rule`. */
function run(engine: AlertEngine, steps: [number, Topology][]): string[] {
  return steps.flatMap(([at, t]) =>
    engine.evaluate(t, T0 + at).map((tr) => `${tr.kind} ${tr.alert.id}`),
  );
}

const replicaDown = () =>
  topology({ nodes: [master(MASTER), replica(R1, MASTER), downNode(R2, 'refused')] });

describe('AlertEngine', () => {
  it('says nothing about a healthy deployment', () => {
    const engine = new AlertEngine('mymaster');
    expect(
      run(engine, [
        [0, topology()],
        [60_000, topology()],
      ]),
    ).toEqual([]);
    expect(engine.active()).toEqual([]);
  });

  it('fires only once the condition held for the whole `for`, and resolves when it stops', () => {
    const engine = new AlertEngine('mymaster');
    expect(
      run(engine, [
        [0, replicaDown()],
        [29_000, replicaDown()],
      ]),
    ).toEqual([]);
    expect(engine.active().map((a) => [a.id, a.status])).toEqual([
      [`RedisNodeDown/${R2}`, 'pending'],
    ]);
    expect(run(engine, [[30_000, replicaDown()]])).toEqual([`firing RedisNodeDown/${R2}`]);
    expect(run(engine, [[31_000, replicaDown()]])).toEqual([]);
    expect(run(engine, [[40_000, topology()]])).toEqual([`resolved RedisNodeDown/${R2}`]);
    const [resolved] = engine.resolved();
    expect(resolved).toMatchObject({
      status: 'resolved',
      sinceMs: T0,
      firedAtMs: T0 + 30_000,
      resolvedAtMs: T0 + 40_000,
      severity: 'critical',
    });
    expect(resolved?.summary).toContain('refused');
  });

  it('drops a pending alert whose condition stopped before `for` without a word', () => {
    const engine = new AlertEngine('mymaster');
    expect(
      run(engine, [
        [0, replicaDown()],
        [10_000, topology()],
        [40_000, topology()],
      ]),
    ).toEqual([]);
    expect(engine.resolved()).toEqual([]);
  });

  it('takes another `for` and switched-off rules from the settings', () => {
    const engine = new AlertEngine('mymaster', {
      lagBytes: 100,
      memoryRatio: 0.5,
      rules: { RedisNodeDown: { forMs: 0 }, SentinelDown: { disabled: true } },
    });
    const t = topology({
      nodes: [
        master(MASTER),
        downNode(R3, 'refused'),
        replica(R1, MASTER, { replication: { ...replica(R1, MASTER).replication, lagBytes: 101 } }),
        replica(R2, MASTER, { memoryUsedBytes: 60, memoryMaxBytes: 100 }),
      ],
      sentinels: [sentinel(S1), sentinel(S2), downSentinel(S3, 'refused')],
    });
    expect(run(engine, [[0, t]])).toEqual([`firing RedisNodeDown/${R3}`]);
    expect(run(engine, [[120_000, t]]).sort()).toEqual([
      `firing RedisMemoryHigh/${R2}`,
      `firing RedisReplicationLagHigh/${R1}`,
    ]);
  });

  it('sees split brain, disagreement, lost quorum and TILT', () => {
    const engine = new AlertEngine('mymaster', {
      lagBytes: 1,
      memoryRatio: 1,
      rules: Object.fromEntries(ALERT_RULES.map((r) => [r.name, { forMs: 0 }])),
    });
    const sentinels = [
      sentinel(S1),
      sentinel(S2, { masterAddr: R1, tilt: true }),
      sentinel(S3, { ckquorum: { ok: false, message: 'NOQUORUM 1 usable Sentinels' } }),
    ];
    const t: Topology = {
      ...topology({ nodes: [master(MASTER), master(R1), replica(R2, MASTER)], sentinels }),
    };
    expect(run(engine, [[0, t]]).sort()).toEqual([
      'firing RedisMultipleMasters/mymaster',
      `firing SentinelQuorumUnreachable/${S3}`,
      `firing SentinelTilt/${S2}`,
      'firing SentinelsDisagree/mymaster',
    ]);
  });

  it('says there is no master when no quorum of sentinels agree on one', () => {
    const engine = new AlertEngine('mymaster');
    const sentinels = [sentinel(S1), sentinel(S2, { masterAddr: R1 }), downSentinel(S3, 'gone')];
    const t = { ...topology({ sentinels }), agreement: agreeOnMaster(sentinels) };
    expect(t.agreement.master).toBeNull();
    expect(
      run(engine, [
        [0, t],
        [15_000, t],
      ]),
    ).toContain('firing RedisNoMaster/mymaster');
  });

  it('fires on a master that moved, and resolves ten minutes later', () => {
    const engine = new AlertEngine('mymaster');
    const moved = topology({
      nodes: [downNode(MASTER, 'refused'), master(R1), replica(R2, R1)],
      sentinels: [S1, S2, S3].map((s) => sentinel(s, { masterAddr: R1 })),
    });
    expect(run(engine, [[0, topology()]])).toEqual([]);
    expect(run(engine, [[5_000, moved]])).toEqual(['firing RedisFailover/mymaster']);
    expect(engine.active()[0]?.summary).toContain(R1);
    // the failover's own times, once its +switch-master is in: the outage, not Sentinel's part
    engine.failedOver({ atMs: T0 + 4_900, durationMs: 7230, detectionMs: 5010 });
    run(engine, [[5_500, moved]]);
    expect(engine.active()[0]?.summary).toBe(
      `the master moved in the last 10 minutes; it is now ${R1}; the outage lasted 7.23 s (detected after 5.01 s)`,
    );
    expect(run(engine, [[5_000 + FAILOVER_ALERT_MS - 1000, moved]])).toEqual([
      `firing RedisNodeDown/${MASTER}`,
    ]);
    expect(run(engine, [[5_000 + FAILOVER_ALERT_MS, moved]])).toEqual([
      'resolved RedisFailover/mymaster',
    ]);
  });

  it('fires when rejected_connections rises, not for a count that was already there or restarts at 0', () => {
    const engine = new AlertEngine('mymaster');
    const withRejected = (n: number) => {
      const t = topology();
      const [first] = t.nodes;
      if (first) first.stats = { ...first.stats, rejectedConnections: n };
      return t;
    };
    expect(
      run(engine, [
        [0, withRejected(7)],
        [1000, withRejected(7)],
        [2000, withRejected(0)],
      ]),
    ).toEqual([]);
    expect(run(engine, [[3000, withRejected(2)]])).toEqual([
      `firing RedisRejectedConnections/${MASTER}`,
    ]);
    expect(run(engine, [[3000 + 5 * 60_000, withRejected(2)]])).toEqual([
      `resolved RedisRejectedConnections/${MASTER}`,
    ]);
  });
});

describe('AlertEngine on a cluster', () => {
  it('says nothing about a healthy cluster: its three masters are not a split brain', () => {
    const engine = new AlertEngine('mycluster');
    expect(
      run(engine, [
        [0, clusterTopology()],
        [60_000, clusterTopology()],
      ]),
    ).toEqual([]);
  });

  it('fires the cluster rules when a shard fails, after their for', () => {
    const engine = new AlertEngine('mycluster');
    const fired = run(engine, [
      [0, clusterTopology()],
      [1_000, clusterTopology({ failing: true })],
      [32_000, clusterTopology({ failing: true })],
    ]);
    expect(fired).toContain('firing RedisClusterSlotsFail/mycluster');
    expect(fired).toContain('firing RedisClusterStateNotOk/127.0.0.1:7001');
    expect(fired.some((f) => /RedisNoMaster|RedisMultipleMasters|Sentinel/.test(f))).toBe(false);
  });
});

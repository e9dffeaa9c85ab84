import { describe, expect, it } from 'vitest';
import type { ClusterState } from '../model/index.js';
import { clusterState, clusterView, downClusterView } from '../model/index.js';
import {
  ackedBy,
  changedSlots,
  clusterFailSpan,
  clusterLossBound,
  clusterViolations,
  promotedIn,
  shardAccounts,
  slotMasters,
} from './cluster-checker.js';
import { clusterOutcomeOf, drillBuckets } from './cluster-workload.js';
import type { WriteOutcome, WriteRecord } from './ledger.js';
import { renderReport } from './report.js';
import type { ClusterRun } from './types.js';
import { clusterRun, drillRun } from './run.fixture.js';
import type { Scenario } from './types.js';
import { kindRefusal, scenarioNamed, scenariosFor } from './scenarios.js';
import { drillOutputSchema } from './schema.js';
import { summarize } from './summary.js';

function scenario(name: string): Scenario {
  const s = scenarioNamed(name);
  if (!s) throw new Error(`no scenario ${name}`);
  return s;
}

/** The cluster as one node's CLUSTER NODES says it: each master with its slot ranges. */
function cluster(masters: string[], ranges: [number, number][][]): ClusterState {
  const text = masters
    .map((m, i) => {
      const slots = (ranges[i] ?? []).map(([a, b]) => `${a}-${b}`).join(' ');
      return `${String(i + 1).repeat(40)} ${m}@1${m.slice(-4)} ${i === 0 ? 'myself,' : ''}master - 0 0 ${i + 1} connected ${slots}`;
    })
    .join('\n');
  return clusterState([clusterView(masters[0] ?? '', { cluster_state: 'ok' }, text)]);
}

const A = '127.0.0.1:7000';
const B = '127.0.0.1:7001';
const C = '127.0.0.1:7002';
const A2 = '127.0.0.1:7003';
const even: [number, number][][] = [[[0, 5460]], [[5461, 10922]], [[10923, 16383]]];

function w(value: string, slot: number, outcome: WriteOutcome, endMs: number): WriteRecord {
  return { value, writer: 0, startMs: endMs - 1, endMs, outcome, slot };
}

describe('slot maps', () => {
  it('names each slot by its master and finds the slots that changed hands', () => {
    const before = slotMasters(cluster([A, B, C], even));
    expect(before[0]).toBe(A);
    expect(before[5461]).toBe(B);
    expect(before[16383]).toBe(C);
    const failedOver = slotMasters(cluster([A2, B, C], even));
    expect(changedSlots(before, failedOver).size).toBe(5461);
    const resharded = slotMasters(
      cluster(
        [A, B, C],
        [
          [[0, 5460]],
          [[6461, 10922]],
          [
            [5461, 6460],
            [10923, 16383],
          ],
        ],
      ),
    );
    const moved = changedSlots(before, resharded);
    expect(moved.size).toBe(1000);
    expect(moved.has(5461) && moved.has(6460) && !moved.has(6461)).toBe(true);
  });
});

describe('promotedIn', () => {
  const id = (n: number) => String(n).repeat(40);
  /** One node's view, from CLUSTER NODES text: slot 0's shard owned by node `ownerOf0`. */
  const view = (addr: string, ownerOf0: 1 | 3, up = true) => {
    const owner = ownerOf0 === 1 ? A : A2;
    const other = ownerOf0 === 1 ? A2 : A;
    const text = [
      `${id(ownerOf0)} ${owner}@17000 master - 0 0 1 connected 0-5460`,
      `${id(ownerOf0 === 1 ? 3 : 1)} ${other}@17003 slave ${id(ownerOf0)} 0 0 1 connected`,
      `${id(2)} ${B}@17001 master - 0 0 2 connected 5461-16383`,
    ].join('\n');
    const v = clusterView(addr, { cluster_state: 'ok' }, text);
    return up ? v : downClusterView(addr, 'refused');
  };

  it("names the replica as soon as one node's view gives it the shard's slots", () => {
    const replicas = new Set([id(3)]);
    expect(promotedIn([view(A, 1), view(B, 1)], 0, replicas)).toBeNull();
    expect(promotedIn([view(B, 1), view(A2, 3)], 0, replicas)).toBe(A2);
    expect(promotedIn([view(A2, 3, false)], 0, replicas)).toBeNull();
    expect(promotedIn([view(B, 3)], 6000, replicas)).toBeNull();
  });
});

describe('clusterFailSpan', () => {
  const state = (ms: number, to: string) => ({
    type: 'quorum:cluster-state',
    ms,
    detail: { from: to === 'fail' ? 'ok' : 'fail', to },
  });

  it('adds up the spans some node said fail, after the fault', () => {
    expect(
      clusterFailSpan(
        [state(500, 'fail'), state(1500, 'ok'), state(3000, 'fail'), state(3200, 'ok')],
        1000,
        9000,
      ),
    ).toEqual({ totalMs: 200, fromMs: 2000 });
    expect(clusterFailSpan([state(2000, 'fail'), state(2500, 'ok')], 1000, 9000)).toEqual({
      totalMs: 500,
      fromMs: 1000,
    });
  });

  it('counts a fail not over by the end until the end, and nothing when it never failed', () => {
    expect(clusterFailSpan([state(2000, 'fail')], 1000, 5000)).toEqual({
      totalMs: 3000,
      fromMs: 1000,
    });
    expect(clusterFailSpan([], 1000, 5000)).toEqual({ totalMs: 0, fromMs: null });
  });
});

describe('shardAccounts', () => {
  it("accounts each write to the shard that owned its slot at the start, with that shard's gap", () => {
    const before = slotMasters(cluster([A, B, C], even));
    const after = slotMasters(cluster([A2, B, C], even));
    const writes = [
      w('a1', 0, 'ack', 900),
      w('a2', 10, 'indeterminate', 2000),
      w('a3', 20, 'ack', 4000),
      w('b1', 6000, 'ack', 1100),
      w('b2', 6000, 'fail', 1500),
      w('b3', 6001, 'ack', 1600),
    ];
    const [a, b, c] = shardAccounts(writes, new Set(['a3', 'b1', 'b3']), before, after, 1000, 5000);
    expect(a).toEqual({
      shard: A,
      masterAfter: A2,
      slots: 5461,
      attempted: 3,
      acknowledged: 2,
      failed: 0,
      indeterminate: 1,
      ackedLost: 1,
      writeUnavailableMs: 3000,
    });
    expect(b).toMatchObject({ shard: B, masterAfter: B, acknowledged: 2, failed: 1, ackedLost: 0 });
    expect(b?.writeUnavailableMs).toBe(3400);
    expect(c).toMatchObject({ shard: C, attempted: 0, writeUnavailableMs: 4000 });
    // after a reshard a shard keeps its name: most of its slots stayed
    const resharded = slotMasters(
      cluster(
        [A, B, C],
        [
          [[1000, 5460]],
          [[5461, 10922]],
          [
            [0, 999],
            [10923, 16383],
          ],
        ],
      ),
    );
    expect(shardAccounts([], new Set(), before, resharded, 0, 1)[0]?.masterAfter).toBe(A);
  });
});

describe('clusterViolations', () => {
  const check = (name: string, run = clusterRun()) => clusterViolations(scenario(name), run, 1000);

  it('accepts a failover within 1.5 x node-timeout + 3 s that lost nothing', () => {
    expect(check('cluster-kill-master')).toEqual([]);
  });

  it('holds the reshard, which loses nothing, to no missing indeterminate write', () => {
    const reshard = { from: A, to: B, slotsMoved: 1000, keysMoved: 60, ms: 2000 };
    const run = (over: Partial<ClusterRun>) =>
      clusterRun(
        { promotedMs: null, writeUnavailableMs: 900, ...over },
        { clusterFailMs: 0, reshard },
      );
    expect(check('cluster-reshard', run({}))).toEqual([]);
    expect(check('cluster-reshard', run({ indeterminateLost: 2, lateAckedLost: 1 }))).toEqual([
      '1 acknowledged writes were lost (1 of them acknowledged after the timeout); at most 0 expected',
      '2 indeterminate writes are missing (1 of them acknowledged late); this scenario should lose none',
    ]);
    // a crash may lose writes: missing indeterminate ones are no violation there
    expect(check('cluster-kill-master', clusterRun({ indeterminateLost: 30 }))).toEqual([]);
  });

  it('flags a missing or slow failover, losses past the bound and unconverged replicas', () => {
    expect(check('cluster-kill-master', clusterRun({ promotedMs: null }))).toEqual([
      'no failover happened, though one was expected',
    ]);
    expect(check('cluster-kill-master', clusterRun({ promotedMs: 6500 }))).toEqual([
      'the failover took 6500 ms, more than 1.5 x node-timeout + 3 s (6000 ms)',
    ]);
    expect(
      check(
        'cluster-reshard',
        clusterRun(
          { promotedMs: null, ackedLost: 2, replicasConverged: false },
          {
            clusterFailMs: 0,
            reshard: { from: A, to: B, slotsMoved: 1000, keysMoved: 60, ms: 2000 },
          },
        ),
      ),
    ).toEqual([
      '2 acknowledged writes were lost; at most 0 expected',
      'the replicas did not converge on their masters',
      'writes to the moved slots stopped for 3350 ms, 2550 ms longer than writes to the other keys (800 ms); clients that follow MOVED and ASK should not pause',
    ]);
    // a stall every key shared (here 800 ms with no write to the keys that stayed) is not the
    // reshard's: only the moved slots' pause beyond it counts
    const reshard = (movedMs: number, otherMs: number) =>
      check(
        'cluster-reshard',
        clusterRun(
          { promotedMs: null, writeUnavailableMs: movedMs },
          {
            clusterFailMs: 0,
            otherShardsUnavailableMs: otherMs,
            reshard: { from: A, to: B, slotsMoved: 1000, keysMoved: 60, ms: 2000 },
          },
        ),
      );
    expect(reshard(1279, 830)).toEqual([]);
    expect(reshard(1800, 800)).toEqual([]);
    expect(reshard(1801, 800)).toEqual([
      'writes to the moved slots stopped for 1801 ms, 1001 ms longer than writes to the other keys (800 ms); clients that follow MOVED and ASK should not pause',
    ]);
    expect(reshard(1001, 0)).toHaveLength(1);
  });

  it('expects a whole-shard kill to stop the cluster, unless full coverage is off, and no failover', () => {
    const down = clusterRun({ promotedMs: null, ackedLost: 500 }, { clusterFailMs: 6000 });
    expect(check('cluster-kill-shard', down)).toEqual([]);
    const up = clusterRun({ promotedMs: null }, { clusterFailMs: 0 });
    expect(check('cluster-kill-shard', up)).toEqual([
      'the cluster never said cluster_state:fail, though a shard had no master (cluster-require-full-coverage yes)',
    ]);
    expect(
      check(
        'cluster-kill-shard',
        clusterRun({ promotedMs: null }, { clusterFailMs: 0, fullCoverage: false }),
      ),
    ).toEqual([]);
    expect(check('cluster-kill-shard', clusterRun({}, { clusterFailMs: 6000 }))[0]).toMatch(
      /^a failover happened, though none was expected \(no replica of the shard is left/,
    );
  });

  it('bounds a whole-shard loss only with AOF on (preset safe): 2 s of the write rate', () => {
    const kill = scenario('cluster-kill-shard');
    const facts = { appendonly: false, nodeTimeoutMs: 2000, shards: [] };
    expect(clusterLossBound(kill, { ...facts, appendonly: false }, 1000)).toBeNull();
    expect(clusterLossBound(kill, { ...facts, appendonly: true }, 1000)).toBe(2000);
    expect(
      clusterLossBound(scenario('cluster-reshard'), { ...facts, appendonly: true }, 1000),
    ).toBe(0);
  });
});

describe('cluster-partition-master', () => {
  const one = clusterRun().cluster.shards[0];
  if (!one) throw new Error('the fixture has a shard');
  const shards = [one, { ...one, shard: B }, { ...one, shard: C }];

  it("bounds the loss by 1.5 x node-timeout + 1 s of the shard's writes, AOF or not", () => {
    const partition = scenario('cluster-partition-master');
    const facts = { appendonly: false, nodeTimeoutMs: 2000, shards };
    // 1000 writes/s over 3 shards: 333.3/s for 4 s
    expect(clusterLossBound(partition, facts, 1000)).toBe(1334);
    expect(clusterLossBound(partition, { ...facts, appendonly: true }, 1000)).toBe(1334);
    expect(clusterLossBound(partition, { ...facts, nodeTimeoutMs: 5000 }, 1000)).toBe(2834);
  });

  it('flags a loss past that bound and a missing failover, not a bounded loss', () => {
    const check = (over: Partial<ClusterRun>) => {
      const r = clusterRun(over, { shards });
      return clusterViolations(scenario('cluster-partition-master'), r, 1000);
    };
    expect(check({ ackedLost: 700 })).toEqual([]);
    expect(check({ ackedLost: 1400, promotedMs: null })).toEqual([
      'no failover happened, though one was expected',
      '1400 acknowledged writes were lost; at most 1334 expected',
    ]);
  });

  it('counts what the old master acknowledged after the fault, and which of those were lost', () => {
    const w = (value: string, node: string, endMs: number, outcome: WriteOutcome = 'ack') => ({
      value,
      writer: 0,
      startMs: endMs - 1,
      endMs,
      outcome,
      node,
    });
    const writes: WriteRecord[] = [
      w('before', A, 99),
      w('kept', A, 100),
      w('lost-1', A, 150),
      w('lost-2', A, 200),
      w('refused', A, 250, 'fail'),
      w('elsewhere', B, 300),
    ];
    const present = new Set(['before', 'kept', 'elsewhere']);
    expect(ackedBy(writes, present, A, 100)).toEqual({ acknowledged: 3, lost: 2 });
    expect(ackedBy(writes, present, B, 100)).toEqual({ acknowledged: 1, lost: 0 });
  });
});

describe('cluster workload pieces', () => {
  it('spreads the buckets over every shard and names each by its shard at the start', () => {
    const owners = slotMasters(cluster([A, B, C], even));
    const buckets = drillBuckets('quorum:drill:x', 4096, (slot) => owners[slot] ?? null);
    expect(buckets).toHaveLength(4096);
    for (const m of [A, B, C]) {
      const mine = buckets.filter((b) => b.shard === m).length;
      expect(mine).toBeGreaterThan(1200);
      expect(mine).toBeLessThan(1550);
    }
    expect(new Set(buckets.map((b) => b.key)).size).toBe(4096);
  });

  it('takes a refusal (CLUSTERDOWN, an unready client) for a write not applied, a lost connection for maybe', () => {
    const reply = Object.assign(new Error('CLUSTERDOWN The cluster is down'), {
      name: 'ReplyError',
    });
    expect(clusterOutcomeOf(reply)).toBe('fail');
    expect(
      clusterOutcomeOf(new Error("Cluster isn't ready and enableOfflineQueue options is false")),
    ).toBe('fail');
    expect(clusterOutcomeOf(new Error('Connection is closed.'))).toBe('indeterminate');
    expect(
      clusterOutcomeOf(
        new Error('Too many Cluster redirections. Last error: Error: Connection is closed.'),
      ),
    ).toBe('indeterminate');
  });
});

describe('scenario kinds', () => {
  it('lists each kind on its own, and refuses the other kind in one sentence', () => {
    expect(scenariosFor('cluster').map((s) => s.name)).toEqual([
      'cluster-kill-master',
      'cluster-kill-shard',
      'cluster-reshard',
      'cluster-partition-master',
    ]);
    expect(scenariosFor('sentinel').every((s) => s.kind === 'sentinel')).toBe(true);
    expect(kindRefusal(scenario('cluster-kill-master'), 'cluster', 'c')).toBeNull();
    expect(kindRefusal(scenario('kill-master'), 'cluster', 'mycluster')).toBe(
      "kill-master is a drill for a Sentinel deployment and 'mycluster' is a Redis Cluster; run one of: cluster-kill-master, cluster-kill-shard, cluster-reshard, cluster-partition-master",
    );
    expect(kindRefusal(scenario('cluster-reshard'), 'sentinel', 'mymaster')).toMatch(
      /^cluster-reshard is a drill for a Redis Cluster and 'mymaster' is a Sentinel deployment; run one of: kill-master, /,
    );
  });
});

describe('cluster results', () => {
  const result = summarize(scenario('cluster-kill-master'), [clusterRun()], 30_000);

  it("takes node-timeout from the runs and keeps the --json contract's fields", () => {
    expect(result.kind).toBe('cluster');
    expect(result.downAfterMs).toBe(2000);
    const parsed = drillOutputSchema.parse(JSON.parse(JSON.stringify(result)));
    expect(Array.isArray(parsed) ? null : parsed.runs[0]?.cluster?.shards[0]?.masterAfter).toBe(A2);
    // results kept before clusters existed still read as Sentinel ones
    const old: Record<string, unknown> = {
      ...summarize(scenario('kill-master'), [drillRun()], 2000),
    };
    delete old.kind;
    const parsedOld = drillOutputSchema.parse(JSON.parse(JSON.stringify(old)));
    expect(Array.isArray(parsedOld) ? null : [parsedOld.kind, parsedOld.runs[0]?.cluster]).toEqual([
      'sentinel',
      null,
    ]);
  });

  it('reports a cluster run in cluster words: PFAIL, FAIL, the promotion, each shard', () => {
    const html = renderReport([result], { deployment: 'mycluster', generatedAt: new Date(0) });
    expect(html).toContain('replica promoted min / p50 / p95 / max');
    expect(html).toContain(
      'node-timeout + 1 s to 1.5 x node-timeout + 3 s (PFAIL up to 1.5 x node-timeout after the crash, then FAIL and the election): 3.00 s to 6.00 s',
    );
    expect(html).toContain('<th>PFAIL</th><th>FAIL</th>');
    expect(html).toContain('cluster_state:fail 2.50 s');
    expect(html).toContain('cluster_state:ok 3.30 s');
    expect(html).toContain('<td>127.0.0.1:7000</td><td>127.0.0.1:7003</td><td>5461</td>');
    expect(html).not.toMatch(/sentinel|\+switch-master/i);
  });
});

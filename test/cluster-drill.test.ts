import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterRun, ScenarioResult } from '../src/drill/index.js';
import { drillOutputSchema, failoverBoundMs } from '../src/drill/index.js';
import type { TestDeployment } from './helpers.js';
import { quorum, startCluster } from './helpers.js';
import { disagreements, ledgerOf, membersInCluster, upMaster } from './ledger-check.js';

const NODE_TIMEOUT_MS = 2000;

function only(result: ScenarioResult | undefined): ClusterRun {
  const run = result?.runs[0];
  if (run?.kind !== 'cluster')
    throw new Error(`no cluster run in ${result?.scenario ?? 'the output'}`);
  return run;
}

/** Where the run's verdict disagrees with a read of each slot's owner made here, now. */
async function checkAgainstData(
  cluster: TestDeployment,
  run: ClusterRun,
  ledger: string,
): Promise<string[]> {
  const lines = ledgerOf(ledger, run.faultAtMs);
  expect(lines.length).toBe(run.attempted);
  const seed = upMaster((await quorum(['status', '--json', '--dir', cluster.dir])).stdout);
  const members = await membersInCluster(
    seed,
    lines.map((l) => l.key),
  );
  return disagreements(run, lines, members);
}

describe('drills against a real Redis Cluster', () => {
  let cluster: TestDeployment;

  beforeAll(async () => {
    cluster = await startCluster('cluster-drill', ['--node-timeout', String(NODE_TIMEOUT_MS)]);
    expect(cluster.up.code, cluster.up.stderr).toBe(0);
  });

  afterAll(async () => {
    expect((await cluster.down()).code).toBe(0);
  });

  it('refuses a Sentinel scenario on a cluster in one sentence', async () => {
    const run = await quorum(['drill', 'kill-master', '--dir', cluster.dir]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe(
      "quorum: kill-master is a drill for a Sentinel deployment and 'mycluster' is a Redis Cluster; run one of: cluster-kill-master, cluster-kill-shard, cluster-reshard, cluster-partition-master",
    );
  });

  it('refuses what is for Sentinel on a cluster, naming what works instead', async () => {
    const haproxy = await quorum(['export', 'haproxy', '--dir', cluster.dir]);
    expect(haproxy.code).toBe(2);
    expect(haproxy.stdout).toBe('');
    expect(haproxy.stderr.trim()).toMatch(
      /^quorum: 'mycluster' is a Redis Cluster, and HAProxy cannot route by slot: cluster clients must follow MOVED and ASK themselves \(redis-cli -c/,
    );
    for (const move of ['switchover', 'failover']) {
      const run = await quorum([move, '--dir', cluster.dir]);
      expect(run.code).toBe(2);
      expect(run.stderr.trim()).toBe(
        "quorum: 'mycluster' is a Redis Cluster, which has no sentinels to move its master; promote a replica with 'quorum cluster failover NODE'",
      );
    }
    const help = await quorum(['cluster', 'reshard', '--help']);
    expect(help.stdout).not.toMatch(/--sentinel|--master-name/);
  });

  it('refuses the lab partition on loopback in one sentence', async () => {
    const run = await quorum(['drill', 'cluster-partition-master', '--dir', cluster.dir]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe(
      "quorum: cluster-partition-master cuts the network between processes, which needs a lab deployment: start one with 'quorum up --mode cluster --network lab' (as root)",
    );
  });

  it('cluster-kill-master: its verdict agrees with a read of each slot owner made by the test', async () => {
    const ledger = join(cluster.dir, 'kill-master.ledger');
    const run = await quorum(
      ['drill', 'cluster-kill-master', '--json', '--dir', cluster.dir, '--ledger', ledger],
      { timeoutMs: 120_000 },
    );
    expect(run.code, run.stderr).toBe(0);
    const parsed = drillOutputSchema.parse(JSON.parse(run.stdout));
    if (Array.isArray(parsed)) throw new Error('one scenario, one result');
    const k = only(parsed);
    expect(k.acknowledged).toBeGreaterThan(1000);
    expect(await checkAgainstData(cluster, k, ledger)).toEqual([]);
  });

  it('drill all runs the cluster scenarios, each within the bounds Redis Cluster gives', async () => {
    const report = join(cluster.dir, 'report.html');
    const ledger = join(cluster.dir, 'drills.ledger');
    const run = await quorum(
      ['drill', 'all', '--json', '--dir', cluster.dir, '--report', report, '--ledger', ledger],
      { timeoutMs: 150_000 },
    );
    expect(run.stdout, run.stderr).not.toBe('');
    const parsed = drillOutputSchema.parse(JSON.parse(run.stdout));
    if (!Array.isArray(parsed)) throw new Error('drill all printed one result, not a list');
    expect(parsed.map((r) => [r.scenario, r.kind])).toEqual([
      ['cluster-kill-master', 'cluster'],
      ['cluster-kill-shard', 'cluster'],
      ['cluster-reshard', 'cluster'],
    ]);
    for (const r of parsed) {
      const m = only(r);
      console.log(
        `${r.scenario}: PFAIL ${m.pfailMs} ms, FAIL ${m.failMs} ms, promoted ${m.promotedMs} ms, no writes to the shard ${m.writeUnavailableMs} ms, other shards ${m.cluster.otherShardsUnavailableMs} ms, cluster_state:fail ${m.cluster.clusterFailMs} ms, ${m.ackedLost}/${m.acknowledged} acknowledged writes lost; ${m.violations.join('; ')}`,
      );
    }
    expect(run.code, run.stderr).toBe(0);
    const [kill, shard, reshard] = parsed;

    // a crash: PFAIL after node-timeout (up to 1.5 x: pings go out every node-timeout / 2 at
    // the latest), FAIL, then the replica's election (Redis Cluster specification)
    const k = only(kill);
    expect(kill?.downAfterMs).toBe(NODE_TIMEOUT_MS);
    expect(k.failover).toBe(true);
    expect(k.newMaster).not.toBe(k.oldMaster);
    expect(k.pfailMs).toBeGreaterThanOrEqual(NODE_TIMEOUT_MS - 1000);
    expect(k.failMs).toBeGreaterThanOrEqual(k.pfailMs ?? 0);
    expect(k.promotedMs).toBeGreaterThanOrEqual(k.failMs ?? 0);
    expect(k.promotedMs).toBeLessThanOrEqual(failoverBoundMs(NODE_TIMEOUT_MS));
    expect(k.writeUnavailableMs).toBeGreaterThanOrEqual(NODE_TIMEOUT_MS - 1000);
    expect(k.acknowledged).toBeGreaterThan(1000);
    expect(k.ackedLost).toBeLessThanOrEqual(20);
    expect(k.replicasConverged).toBe(true);
    expect(k.cluster.shards).toHaveLength(3);
    expect(k.violations).toEqual([]);

    // a whole shard: no failover, the cluster stops serving every key, then comes back
    const s = only(shard);
    expect(s.failover).toBe(false);
    expect(s.promotedMs).toBeNull();
    expect(s.cluster.clusterFailMs).toBeGreaterThan(0);
    expect(s.cluster.otherShardsUnavailableMs).toBeGreaterThan(500);
    expect(s.writeUnavailableMs).toBeGreaterThan(s.cluster.otherShardsUnavailableMs);
    const dead = s.cluster.shards.find((a) => a.shard === s.cluster.shard);
    const others = s.cluster.shards.filter((a) => a !== dead);
    expect(dead?.failed).toBeGreaterThan(0);
    expect(others.every((a) => a.failed > 0 && a.ackedLost === 0)).toBe(true);
    // RDB only: the shard may lose what it took since its last snapshot, nothing more
    expect(s.ackedLost).toBe(dead?.ackedLost);
    expect(s.violations).toEqual([]);

    // a reshard under load: slots and keys move, clients follow MOVED/ASK, nothing is lost
    const r = only(reshard);
    expect(r.cluster.reshard?.slotsMoved).toBe(1000);
    expect(r.cluster.reshard?.keysMoved).toBeGreaterThan(0);
    expect(r.cluster.slots).toBe(1000);
    expect(r.promotedMs).toBeNull();
    expect(r.cluster.clusterFailMs).toBe(0);
    expect(r.ackedLost).toBe(0);
    // a pause every key shared (a starved machine) is not the reshard's; the rest is under 1 s
    expect(r.writeUnavailableMs - r.cluster.otherShardsUnavailableMs).toBeLessThan(1000);
    expect(r.violations).toEqual([]);

    // the last run's verdict against a read of each slot's owner made here (an earlier run's
    // data is not its final state any more: the shard killed after it restarted from its RDB)
    expect(await checkAgainstData(cluster, r, ledger)).toEqual([]);

    const html = readFileSync(report, 'utf8');
    expect(html).toContain('replica promoted min / p50 / p95 / max');
    expect(html).not.toMatch(/sentinel/i);
    // every drill healed: the cluster is back to ok, one slot map, replicas linked
    expect((await quorum(['status', '--dir', cluster.dir])).code).toBe(0);
  });
});

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readState } from '../src/local/index.js';
import { labLeftovers, labUnavailable } from '../src/local/index.js';
import { clusterLossBound, drillOutputSchema, scenarioNamed } from '../src/drill/index.js';
import { quorum, startCluster } from './helpers.js';
import { disagreements, ledgerOf, membersInCluster, upMaster } from './ledger-check.js';

const why = labUnavailable();
const NODE_TIMEOUT_MS = 2000;

describe.skipIf(why !== null)(
  `a Redis Cluster on the lab network (${why ?? 'root, ip, nft and tc are here'})`,
  () => {
    it('cluster-partition-master: the majority fails the shard over, the cut-off master loses a bounded number of writes', async () => {
      const lab = await startCluster('lab-cluster', [
        '--network',
        'lab',
        '--node-timeout',
        String(NODE_TIMEOUT_MS),
      ]);
      const plan = readState(lab.dir)?.spec.lab;
      const ledger = join(lab.dir, 'drill.ledger');
      try {
        expect(lab.up.code, lab.up.stderr).toBe(0);
        expect(plan).toBeDefined();
        const drill = await quorum(
          ['drill', 'cluster-partition-master', '--dir', lab.dir, '--json', '--ledger', ledger],
          { timeoutMs: 120_000 },
        );
        expect(drill.code, drill.stderr).toBe(0);
        const result = drillOutputSchema.parse(JSON.parse(drill.stdout));
        if (Array.isArray(result)) throw new Error('one scenario, one result');
        const run = result.runs[0];
        if (run?.kind !== 'cluster') throw new Error('no cluster run');
        const facts = run.cluster;
        const after = facts.oldMasterAfterFault;
        console.log(
          `cluster-partition-master: PFAIL ${run.pfailMs} ms, FAIL ${run.failMs} ms, promoted ${run.promotedMs} ms, cluster_state:fail ${facts.clusterFailMs} ms, ${run.ackedLost}/${run.acknowledged} acknowledged writes lost, the old master acknowledged ${after?.acknowledged} after the cut and ${after?.lost} of those were lost; ${run.violations.join('; ')}`,
        );
        expect(result.downAfterMs).toBe(NODE_TIMEOUT_MS);
        expect(run.writersIn).toBe('client-1');
        // the majority side (both other masters) flags the cut-off master and promotes its replica
        expect(run.failover).toBe(true);
        expect(run.newMaster).not.toBe(run.oldMaster);
        expect(run.failMs).toBeGreaterThanOrEqual(run.pfailMs ?? 0);
        expect(run.promotedMs).toBeGreaterThanOrEqual(NODE_TIMEOUT_MS - 1000);
        // it acknowledged writes on its side until it noticed, about node-timeout after the cut
        const scenario = scenarioNamed('cluster-partition-master');
        if (!scenario) throw new Error('no scenario cluster-partition-master');
        const bound = clusterLossBound(scenario, facts, 1000);
        expect(bound).toBe(Math.ceil(((1000 / 3) * (NODE_TIMEOUT_MS * 1.5 + 1000)) / 1000));
        expect(run.ackedLost).toBeGreaterThan(0);
        expect(run.ackedLost).toBeLessThanOrEqual(bound ?? 0);
        expect(after?.lost).toBeGreaterThan(0);
        // read back here from each slot's owner: the verdict, and the old master's own losses
        const lines = ledgerOf(ledger, run.faultAtMs);
        const seed = upMaster((await quorum(['status', '--json', '--dir', lab.dir])).stdout);
        const members = await membersInCluster(
          seed,
          lines.map((l) => l.key),
        );
        expect(disagreements(run, lines, members)).toEqual([]);
        const byOldMaster = lines.filter(
          (l) => l.outcome === 'ack' && l.node === run.oldMaster && l.endMs >= run.faultAtMs,
        );
        expect({
          acknowledged: byOldMaster.length,
          lost: byOldMaster.filter((l) => !members.get(l.key)?.has(l.value)).length,
        }).toEqual(after);
        // the writers saw CLUSTERDOWN from the old master, and none of those refused is present
        expect(run.failedPresent).toBe(0);
        expect(facts.shards.find((s) => s.shard === run.oldMaster)?.failed).toBeGreaterThan(0);
        expect(run.replicasConverged).toBe(true);
        expect(run.violations).toEqual([]);
        // healed: the old master rejoined as a replica, the cluster is ok with one slot map
        expect((await quorum(['status', '--dir', lab.dir])).code).toBe(0);
      } finally {
        expect((await lab.down()).code).toBe(0);
        if (plan) expect(labLeftovers(plan)).toEqual([]);
      }
    });
  },
);

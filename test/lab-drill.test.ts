import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { safeWindowLoss } from '../src/drill/index.js';
import { drillOutputSchema } from '../src/drill/schema.js';
import type { LabPlan } from '../src/local/index.js';
import { labLeftovers, labUnavailable, readState } from '../src/local/index.js';
import { quorum, startDeployment, type TestDeployment } from './helpers.js';
import { startLab } from './lab-support.js';

const why = labUnavailable();

async function drill(dir: string, scenario: string) {
  const run = await quorum(['drill', scenario, '--dir', dir, '--json'], { timeoutMs: 180_000 });
  expect(run.code, run.stderr).toBe(0);
  const parsed = drillOutputSchema.parse(JSON.parse(run.stdout));
  if (Array.isArray(parsed)) throw new Error('one scenario, one result');
  return parsed;
}

describe.skipIf(why !== null)(
  `partition drills on the lab network (${why ?? 'root, ip, nft and tc are here'})`,
  () => {
    let lab: TestDeployment;
    let plan: LabPlan;

    beforeAll(async () => {
      ({ lab, plan } = await startLab('lab-drill'));
    });

    afterAll(async () => {
      await lab.down();
    });

    it('partition-sentinels causes no failover and loses nothing', async () => {
      const result = await drill(lab.dir, 'partition-sentinels');
      const [run] = result.runs;
      if (run?.kind !== 'sentinel') throw new Error('no Sentinel run');
      expect(run.switchMasterMs).toBeNull();
      expect(run.ackedLost).toBe(0);
      expect(run.violations).toEqual([]);
    });

    it('partition-minority-master loses acknowledged writes without the safe preset, a bounded number with it', async () => {
      const plain = (await drill(lab.dir, 'partition-minority-master')).runs[0];
      expect(plain?.failover).toBe(true);
      expect(plain?.writersIn).toBe('client-1');
      expect(plain?.ackedLost).toBeGreaterThan(0);
      // the lost ones were acknowledged by the old master, on the minority side
      expect(plain?.byNode.find((n) => n.node === plain.oldMaster)?.lost).toBe(plain?.ackedLost);
      const safe = await startDeployment('lab-safe', [
        '--network',
        'lab',
        '--preset',
        'safe',
        '--down-after',
        '2000',
        '--no-dashboard',
        '--no-proxy',
      ]);
      try {
        expect(safe.up.code, safe.up.stderr).toBe(0);
        const bounded = (await drill(safe.dir, 'partition-minority-master')).runs[0];
        expect(bounded?.minReplicasToWrite).toBe(1);
        expect(bounded?.failover).toBe(true);
        expect(bounded?.ackedLost).toBeLessThanOrEqual(safeWindowLoss(1000));
        expect(bounded?.ackedLost).toBeLessThan(plain?.ackedLost ?? 0);
        // refused, not lost: the isolated master said NOREPLICAS
        expect(bounded?.failed).toBeGreaterThan(0);
      } finally {
        const safePlan = readState(safe.dir)?.spec.lab;
        await safe.down();
        if (safePlan) expect(labLeftovers(safePlan)).toEqual([]);
      }
    });

    it('leaves nothing behind after down: no namespace, veth, bridge or qdisc', async () => {
      const down = await lab.down();
      expect(down.code).toBe(0);
      expect(labLeftovers(plan)).toEqual([]);
      const qdiscs = spawnSync('tc', ['qdisc', 'show'], { encoding: 'utf8' }).stdout;
      expect(qdiscs).not.toContain(`qv${plan.tag}`);
    });
  },
);

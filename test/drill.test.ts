import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScenarioResult } from '../src/drill/index.js';
import { scenarioResultSchema } from '../src/drill/index.js';
import type { TestDeployment } from './helpers.js';
import { quorum, startDeployment } from './helpers.js';

const DOWN_AFTER_MS = 2000;

async function drill(
  deployment: TestDeployment,
  scenario: string,
  extra: string[] = [],
): Promise<ScenarioResult> {
  const run = await quorum(['drill', scenario, '--json', '--dir', deployment.dir, ...extra], {
    timeoutMs: 120_000,
  });
  if (run.code !== 0) throw new Error(`drill ${scenario} exited ${run.code}: ${run.stderr}`);
  // the documented schema (src/drill/schema.ts) is what --json prints
  return scenarioResultSchema.parse(JSON.parse(run.stdout));
}

async function healthy(deployment: TestDeployment): Promise<boolean> {
  return (await quorum(['status', '--dir', deployment.dir])).code === 0;
}

describe('drills against a real deployment', () => {
  let deployment: TestDeployment;

  beforeAll(async () => {
    deployment = await startDeployment('drill', [
      '--no-dashboard',
      '--down-after',
      String(DOWN_AFTER_MS),
    ]);
    expect(deployment.up.code).toBe(0);
  });

  afterAll(async () => {
    expect((await deployment.down()).code).toBe(0);
  });

  it('kill-master: measures a failover within down-after + 4 s, losing at most a handful of acknowledged writes', async () => {
    const report = join(deployment.dir, 'report.html');
    const result = await drill(deployment, 'kill-master', ['--report', report]);
    const html = readFileSync(report, 'utf8');
    expect(html).toContain('<svg');
    expect(html).toContain('about down-after + 1 to 2.5 s');
    const [run] = result.runs;
    if (!run) throw new Error('no run');
    console.log(
      `kill-master: +sdown ${run.sdownMs} ms, +odown ${run.odownMs} ms, +switch-master ${run.switchMasterMs} ms, no writes for ${run.writeUnavailableMs} ms, ${run.ackedLost}/${run.acknowledged} acknowledged writes lost`,
    );
    expect(run.failover).toBe(true);
    // Sentinel counts down-after from the last valid reply, which can be up to one ping period
    // (1 s) before the kill
    expect(run.sdownMs).toBeGreaterThanOrEqual(DOWN_AFTER_MS - 1000);
    expect(run.odownMs).toBeGreaterThanOrEqual(run.sdownMs ?? 0);
    expect(run.switchMasterMs).toBeGreaterThan(run.odownMs ?? 0);
    expect(run.switchMasterMs).toBeLessThan(DOWN_AFTER_MS + 4000);
    expect(run.writeUnavailableMs).toBeGreaterThanOrEqual(DOWN_AFTER_MS - 1000);
    expect(run.acknowledged).toBeGreaterThan(1000);
    expect(run.ackedLost).toBeLessThanOrEqual(20);
    expect(run.survived + run.ackedLost).toBe(run.acknowledged);
    expect(run.replicasConverged).toBe(true);
    expect(run.violations).toEqual([]);
    expect(await healthy(deployment)).toBe(true);
  });

  it('stop-master: fails over without losing an acknowledged write', async () => {
    const [run] = (await drill(deployment, 'stop-master')).runs;
    expect(run?.failover).toBe(true);
    expect(run?.ackedLost).toBe(0);
    expect(run?.violations).toEqual([]);
    expect(await healthy(deployment)).toBe(true);
  });

  it('kill-sentinel-majority: reports no failover, says why it was expected, and heals', async () => {
    const run = await quorum(['drill', 'kill-sentinel-majority', '--dir', deployment.dir], {
      timeoutMs: 120_000,
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/no failover\s+\d/);
    expect(run.stdout).toContain('as expected');
    expect(await healthy(deployment)).toBe(true);
  });

  it('refuses an unknown scenario, naming the valid ones', async () => {
    const run = await quorum(['drill', 'meteor-strike', '--dir', deployment.dir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      "there is no scenario 'meteor-strike'; use one of: kill-master, stop-master",
    );
    const zero = await quorum(['drill', 'kill-master', '--runs', '0', '--dir', deployment.dir]);
    expect(zero.code).toBe(2);
  });
});

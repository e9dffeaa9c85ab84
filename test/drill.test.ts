import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { TestDeployment } from './helpers.js';
import { BIN, quorum, sleep, startDeployment, waitFor } from './helpers.js';
import {
  checkAgainstData,
  DOWN_AFTER_MS,
  drill,
  healthy,
  sentinelRun,
  statusMaster,
} from './drill-support.js';
import { OPEN_ACCESS, RedisLink } from '../src/redis/index.js';

/** The times `quorum events --json` gives the last failover in the deployment's log. */
async function lastFailoverOfLog(deployment: TestDeployment) {
  const events = await quorum([
    'events',
    '--json',
    '--type',
    '+switch-master',
    '--dir',
    deployment.dir,
  ]);
  expect(events.code).toBe(0);
  const parsed = z
    .array(
      z.object({
        failover: z.object({
          downBasis: z.string().nullable(),
          detectedAfterMs: z.number().nullable(),
          newMasterAfterMs: z.number().nullable(),
        }),
      }),
    )
    .parse(JSON.parse(events.stdout));
  const last = parsed.at(-1);
  if (!last) throw new Error(`no +switch-master in the event log: ${events.stdout}`);
  return last.failover;
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
    const ledger = join(deployment.dir, 'kill-master.ledger');
    const result = await drill(deployment, 'kill-master', ['--report', report, '--ledger', ledger]);
    const html = readFileSync(report, 'utf8');
    expect(html).toContain('<svg');
    expect(html).toContain('about down-after + 1 to 2.5 s');
    const run = sentinelRun(result.runs[0]);
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
    // a read of the final master made here, not by the drill, must agree with its verdict
    expect(await checkAgainstData(deployment, 'kill-master', run, ledger)).toEqual([]);
    expect(run.replicasConverged).toBe(true);
    expect(run.violations).toEqual([]);
    expect(await healthy(deployment)).toBe(true);
    // the event log times the same failover from the master's end (the kill quorum did, or the
    // exit the supervisor saw), as the drill does from its kill
    const failover = await lastFailoverOfLog(deployment);
    expect(['stopped', 'exit']).toContain(failover.downBasis);
    expect(Math.abs(Number(failover.newMasterAfterMs) - (run.switchMasterMs ?? 0))).toBeLessThan(
      500,
    );
    expect(Math.abs(Number(failover.detectedAfterMs) - (run.sdownMs ?? 0))).toBeLessThan(500);
  });

  it('stop-master: fails over without losing an acknowledged write', async () => {
    const [run] = (await drill(deployment, 'stop-master')).runs;
    expect(run?.failover).toBe(true);
    expect(run?.ackedLost).toBe(0);
    // what SHUTDOWN dropped unanswered is excused, counted, and all that is missing
    expect(run?.indeterminateLost).toBe(run?.unansweredExempted);
    console.log(
      `stop-master: ${run?.indeterminateLost} indeterminate writes missing, ${run?.unansweredExempted} excused`,
    );
    expect(run?.violations).toEqual([]);
    expect(await healthy(deployment)).toBe(true);
  });

  it("switchover: quorum's paused switch loses no acknowledged write; the CLI command does the same", async () => {
    const ledger = join(deployment.dir, 'switchover.ledger');
    const run = sentinelRun((await drill(deployment, 'switchover', ['--ledger', ledger])).runs[0]);
    console.log(
      `switchover: +switch-master ${run.switchMasterMs} ms after the pause, no writes for ${run.writeUnavailableMs} ms, ${run.ackedLost}/${run.acknowledged} lost, ${run.indeterminate} indeterminate (${run.indeterminateLost} missing, ${run.unansweredExempted} of them excused, ${run.lateAcked} acknowledged late)`,
    );
    expect(run.failover).toBe(true);
    expect(run.ackedLost).toBe(0);
    // a write acknowledged late is no exception to "nothing lost"; the writes the switch's CLIENT
    // KILL dropped in the pause are sent again to the new master: none may be missing
    expect(run.lateAckedLost).toBe(0);
    expect(run.indeterminateLost).toBe(0);
    expect(run.unansweredExempted).toBe(0);
    expect(await checkAgainstData(deployment, 'switchover', run, ledger)).toEqual([]);
    expect(run.violations).toEqual([]);
    expect(await healthy(deployment)).toBe(true);
    // a switchover under way elsewhere (a connection named as its are, connected first) holds
    // off another one: nothing is paused or asked
    const master = await statusMaster(deployment);
    const other = new RedisLink(master, {
      timeoutMs: 2000,
      access: OPEN_ACCESS,
      connectionName: 'quorum-switchover',
    });
    try {
      await other.call('PING');
      const refused = await quorum(['switchover', '--dir', deployment.dir]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`a switchover of ${master} is already under way (from `);
      expect(await statusMaster(deployment)).toBe(master);
    } finally {
      await other.close();
    }
    const cli = await quorum(['switchover', '--json', '--dir', deployment.dir]);
    expect(cli.code).toBe(0);
    const moved = JSON.parse(cli.stdout) as {
      oldMaster: string;
      newMaster: string;
      pausedMs: number;
    };
    expect(moved.newMaster).not.toBe(moved.oldMaster);
    expect(moved.pausedMs).toBeGreaterThan(0);
    expect(moved.pausedMs).toBeLessThan(10_000);
  });

  it('kill-sentinel-majority: reports no failover, says why it was expected, and heals', async () => {
    // the switchover before moved the master from the command line: let the deployment settle
    await waitFor('a healthy deployment after the switchover', 30_000, async () =>
      (await healthy(deployment)) ? true : undefined,
    );
    const run = await quorum(['drill', 'kill-sentinel-majority', '--dir', deployment.dir], {
      timeoutMs: 120_000,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/no failover\s+\d/);
    expect(run.stdout).toContain('as expected');
    expect(await healthy(deployment)).toBe(true);
  });

  it('keeps every result under <dir>/drills, as JSON and an HTML report', () => {
    const kept = readdirSync(join(deployment.dir, 'drills'));
    for (const scenario of ['kill-master', 'stop-master', 'kill-sentinel-majority']) {
      expect(kept.some((f) => f.endsWith(`-${scenario}.json`))).toBe(true);
      expect(kept.some((f) => f.endsWith(`-${scenario}.html`))).toBe(true);
    }
    expect(kept).not.toContain('running.json');
  });

  it('runs against an attached deployment only with --yes-really, and only faults that need no process', async () => {
    const sentinel = `127.0.0.1:${deployment.port + 50}`;
    const dir = join(deployment.dir, 'attached');
    const refused = await quorum([
      'drill',
      'manual-failover',
      '--sentinel',
      sentinel,
      '--dir',
      dir,
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('a drill breaks the deployment it runs against');
    expect(refused.stderr).toContain('add --yes-really');
    const local = await quorum([
      'drill',
      'kill-master',
      '--sentinel',
      sentinel,
      '--yes-really',
      '--dir',
      dir,
    ]);
    expect(local.code).toBe(2);
    expect(local.stderr).toContain(
      'kill-master acts on processes, which quorum can do only for a deployment it launched; against --sentinel, run one of: manual-failover, switchover, debug-sleep-master',
    );
    const result = await drill(deployment, 'debug-sleep-master', [
      '--sentinel',
      sentinel,
      '--yes-really',
      '--dir',
      dir,
    ]);
    const run = sentinelRun(result.runs[0]);
    expect(result.downAfterMs).toBe(DOWN_AFTER_MS);
    expect(run.failover).toBe(true);
    expect(run.switchMasterMs).not.toBeNull();
    expect(run.replicasConverged).toBe(true);
    expect(
      readdirSync(join(dir, 'drills')).some((f) => f.endsWith('-debug-sleep-master.json')),
    ).toBe(true);
    expect(await healthy(deployment)).toBe(true);
  });

  it('refuses to start on an unhealthy deployment, saying what is wrong', async () => {
    expect((await quorum(['node', 'stop', 'sentinel-3', '--dir', deployment.dir])).code).toBe(0);
    try {
      const run = await quorum(['drill', 'kill-master', '--dir', deployment.dir], {
        timeoutMs: 60_000,
      });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/quorum: the deployment is not healthy: .*127\.0\.0\.1:\d+/);
    } finally {
      expect((await quorum(['node', 'start', 'sentinel-3', '--dir', deployment.dir])).code).toBe(0);
    }
    await waitFor('the deployment to be healthy again', 30_000, async () =>
      (await healthy(deployment)) ? true : undefined,
    );
  });

  it('heals the fault it injected when interrupted with Ctrl-C, and says so', async () => {
    const child = spawn(
      process.execPath,
      [BIN, 'drill', 'freeze-master-long', '--dir', deployment.dir],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => resolve(code)),
    );
    try {
      await waitFor('the fault to be injected', 30_000, () =>
        err.includes('injecting') ? true : undefined,
      );
      await sleep(500);
      child.kill('SIGINT');
      expect(await exited).toBe(1);
      expect(err).toContain('interrupted: healing every fault before exiting');
      expect(err).toContain('the drill was interrupted; every fault it injected was healed');
      // the frozen master was thawed: nothing is left frozen, and the deployment is healthy
      const state = JSON.parse(
        (await quorum(['status', '--json', '--dir', deployment.dir])).stdout,
      ) as { deployments: { nodes: { up: boolean }[] }[] };
      expect(state.deployments[0]?.nodes.every((n) => n.up)).toBe(true);
      expect(await healthy(deployment)).toBe(true);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('refuses an unknown scenario, naming the valid ones', async () => {
    const run = await quorum(['drill', 'meteor-strike', '--dir', deployment.dir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      "there is no scenario 'meteor-strike'; use one of: kill-master, stop-master",
    );
    const typo = await quorum(['drill', 'kill-mastr', '--dir', deployment.dir]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain(
      "there is no scenario 'kill-mastr' (did you mean kill-master?); use one of:",
    );
    const zero = await quorum(['drill', 'kill-master', '--runs', '0', '--dir', deployment.dir]);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toContain('expected a whole number from 1 to 100');
    const negative = await quorum([
      'drill',
      'kill-master',
      '--rate',
      '-5',
      '--dir',
      deployment.dir,
    ]);
    expect(negative.code).toBe(2);
    expect(negative.stderr).toContain('expected a whole number from 1 to 100000');
    const via = await quorum([
      'drill',
      'kill-master',
      '--via',
      'carrier-pigeon',
      '--dir',
      deployment.dir,
    ]);
    expect(via.code).toBe(2);
    expect(via.stderr).toContain('sentinel, role-check');
  });

  // last: it stops the shared deployment
  it('starts a deployment when none runs in --dir, and says at the end that it still runs and how to stop it', async () => {
    expect((await deployment.down()).code).toBe(0);
    const run = await quorum(['drill', 'kill-replica', '--dir', deployment.dir], {
      timeoutMs: 120_000,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`no deployment runs in ${deployment.dir}; starting one`);
    expect(run.stderr.trim().split('\n').at(-1)).toBe(
      `the deployment this drill started still runs in ${deployment.dir}: look at it with 'quorum status --dir ${deployment.dir}', stop it with 'quorum down --dir ${deployment.dir}'`,
    );
    expect(await healthy(deployment)).toBe(true);
  });
});

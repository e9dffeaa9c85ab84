/** What the drill test files share: running a drill through the CLI and checking it against the data. */
import { expect } from 'vitest';
import { z } from 'zod';
import type { DrillRun, ScenarioResult, SentinelRun } from '../src/drill/index.js';
import { scenarioResultSchema } from '../src/drill/index.js';
import type { TestDeployment } from './helpers.js';
import { quorum } from './helpers.js';
import { disagreements, ledgerOf, membersOn } from './ledger-check.js';

/** The down-after of every drill test's deployment. */
export const DOWN_AFTER_MS = 2000;

/** A Sentinel run: its timings are the sentinels' own events. */
export function sentinelRun(run: DrillRun | undefined): SentinelRun {
  if (run?.kind !== 'sentinel') throw new Error(`no Sentinel run: ${run?.kind ?? 'none'}`);
  return run;
}

export async function drill(
  deployment: TestDeployment,
  scenario: string,
  extra: string[] = [],
): Promise<ScenarioResult> {
  const run = await quorum(['drill', scenario, '--json', '--dir', deployment.dir, ...extra], {
    timeoutMs: 120_000,
  });
  if (run.code !== 0) {
    // with --json a run that broke an expectation still prints its result: show what broke
    const broken = run.stdout.trim().startsWith('{')
      ? scenarioResultSchema
          .parse(JSON.parse(run.stdout))
          .runs.flatMap((r) => r.violations)
          .join('; ')
      : '';
    throw new Error(`drill ${scenario} exited ${run.code}: ${broken} ${run.stderr}`);
  }
  // the documented schema (src/drill/schema.ts) is what --json prints
  return scenarioResultSchema.parse(JSON.parse(run.stdout));
}

/** The master `quorum status` names now (the sentinels' agreed one). */
export async function statusMaster(deployment: TestDeployment): Promise<string> {
  const status = await quorum(['status', '--json', '--dir', deployment.dir]);
  const parsed = z
    .object({ deployments: z.array(z.object({ master: z.string().nullable() })) })
    .parse(JSON.parse(status.stdout));
  const master = parsed.deployments[0]?.master;
  if (!master) throw new Error(`no master in quorum status: ${status.stdout}`);
  return master;
}

/**
 * Reads every value the drill's ledger names back from the final master with a client of the
 * test's own, and says where the drill's verdict disagrees with the data.
 */
export async function checkAgainstData(
  deployment: TestDeployment,
  scenario: string,
  run: DrillRun,
  ledger: string,
): Promise<string[]> {
  const lines = ledgerOf(ledger, run.faultAtMs);
  expect(lines.every((l) => l.scenario === scenario)).toBe(true);
  expect(lines.length).toBe(run.attempted);
  const members = await membersOn(
    await statusMaster(deployment),
    lines.map((l) => l.key),
  );
  return disagreements(run, lines, members);
}

export async function healthy(deployment: TestDeployment): Promise<boolean> {
  return (await quorum(['status', '--dir', deployment.dir])).code === 0;
}

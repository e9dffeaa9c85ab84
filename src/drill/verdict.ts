import { electionTimeoutMs } from '../model/index.js';
import { lossViolations, unansweredExempted } from './checker.js';
import type { Scenario, SentinelRun } from './types.js';
import type { WorkloadOptions } from './workload.js';
import { DEFAULT_WORKLOAD } from './workload.js';

/** What of the workload a verdict depends on. */
export type VerdictWorkload = Pick<WorkloadOptions, 'rate' | 'writers' | 'timeoutMs'>;

/**
 * The most missing, never-answered writes sent after the fault that a scenario whose server drops
 * unanswered writes may excuse in `run` (pure). The window is from the fault to the end of the
 * longest stretch after it without an acknowledged write (the shutdown or the pause, and the
 * search for the new master). A writer is sequential: a write the server holds unanswered keeps
 * it for its timeout, so in that window it leaves at most ceil(window / timeout) of them, plus the
 * one its client gives up when the connection closes; and never more than its pace sends.
 */
export function unansweredCap(
  run: Pick<SentinelRun, 'writeUnavailableFromMs' | 'writeUnavailableMs'>,
  workload: VerdictWorkload,
): number {
  const windowMs = Math.max(0, run.writeUnavailableFromMs + run.writeUnavailableMs);
  const perWriter = Math.min(
    Math.ceil(windowMs / workload.timeoutMs) + 1,
    Math.ceil((windowMs * workload.rate) / (1000 * workload.writers)),
  );
  return workload.writers * perWriter;
}

/** How many missing writes `scenario` excuses in `run` (pure): 0 unless its server drops some. */
export function exemptedIn(
  scenario: Scenario,
  run: Pick<SentinelRun, 'writeUnavailableFromMs' | 'writeUnavailableMs' | 'unansweredAfterFault'>,
  workload: VerdictWorkload = DEFAULT_WORKLOAD,
): number | null {
  if (scenario.unansweredMayVanish === undefined) return 0;
  return unansweredExempted(run, unansweredCap(run, workload));
}

/** The loss bound that applies to this run: the scenario's, or its safe-preset one. */
function lossBound(
  scenario: Scenario,
  run: Pick<SentinelRun, 'minReplicasToWrite'>,
  ratePerS: number = DEFAULT_WORKLOAD.rate,
): number | null {
  const safe = (run.minReplicasToWrite ?? 0) >= 1;
  const bound = scenario.maxAckedLostSafe;
  if (!safe || bound === undefined) return scenario.maxAckedLost;
  return typeof bound === 'function' ? bound(ratePerS) : bound;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The last election the sentinels lost during the run. */
function lastLost(run: SentinelRun): SentinelRun['events'][number] | undefined {
  return run.events.filter((e) => e.type === '-failover-abort-not-elected').at(-1);
}

/**
 * Why an expected failover did not come (pure): a lost election is named, with when Sentinel
 * tries again (2 x failover-timeout after the attempt began), since that is not "no failover".
 */
function noFailover(run: SentinelRun, failoverTimeoutMs: number | null): string {
  const lost = lastLost(run);
  if (!lost) return 'no failover happened, though one was expected';
  const tried = run.events.filter((e) => e.type === '+try-failover' && e.ms <= lost.ms).at(-1);
  const began =
    tried?.ms ??
    (failoverTimeoutMs === null ? null : lost.ms - electionTimeoutMs(failoverTimeoutMs));
  const next =
    failoverTimeoutMs === null || began === null
      ? 'Sentinel tries again only 2 x failover-timeout after the attempt began'
      : `Sentinel tries again 2 x failover-timeout after the attempt began, at about ${seconds(began + 2 * failoverTimeoutMs)} after the fault`;
  return `no failover within the run: the sentinels lost their election (-failover-abort-not-elected ${seconds(lost.ms)} after the fault; each voted for itself); ${next}`;
}

/** Where a run differs from what Redis Sentinel should do, one sentence each (pure). */
export function violations(
  scenario: Scenario,
  run: SentinelRun,
  downAfterMs: number,
  workload: VerdictWorkload = DEFAULT_WORKLOAD,
  failoverTimeoutMs: number | null = null,
): string[] {
  const found: string[] = [];
  if (scenario.expectFailover && run.switchMasterMs === null)
    found.push(noFailover(run, failoverTimeoutMs));
  if (!scenario.expectFailover && run.switchMasterMs !== null)
    found.push(
      `a failover happened, though none was expected (${scenario.noFailoverBecause ?? ''})`,
    );
  found.push(
    ...lossViolations(
      lossBound(scenario, run, workload.rate),
      run,
      exemptedIn(scenario, run, workload) ?? 0,
    ),
  );
  if (!run.replicasConverged) found.push('the replicas did not converge on the final master');
  if (run.failedPresent > 0)
    found.push(`${run.failedPresent} writes reported as failed are present`);
  // crash detection takes down-after, then the vote and promotion 1 to 2.5 s (plus slack)
  if (
    scenario.name === 'kill-master' &&
    run.switchMasterMs !== null &&
    run.switchMasterMs > downAfterMs + 4000
  ) {
    const lost = lastLost(run);
    found.push(
      `the failover took ${run.switchMasterMs} ms, more than down-after + 4 s${lost ? ` (the sentinels lost an election ${seconds(lost.ms)} after the fault, and Sentinel tried again 2 x failover-timeout after that attempt began)` : ''}`,
    );
  }
  return found;
}

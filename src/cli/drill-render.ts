import type { ClusterRun, RunCommon, ScenarioResult, SentinelRun } from '../drill/index.js';
import { formatSeconds, nodeRole } from '../model/index.js';
import { verdictText } from '../model/deviation.js';
import { table } from './format.js';

/** A count a run kept before it was recorded has none. */
const count = (n: number | null) => (n === null ? '-' : String(n));

/** Indeterminate writes present / missing at the end; and those acknowledged late, lost or not. */
function ledgerCells(r: RunCommon): string[] {
  const late =
    r.lateAcked === null
      ? '-'
      : `${r.lateAcked}${(r.lateAckedLost ?? 0) > 0 ? ` (${count(r.lateAckedLost)} lost)` : ''}`;
  const excused =
    (r.unansweredExempted ?? 0) > 0 ? ` (${count(r.unansweredExempted)} excused)` : '';
  return [`${r.indeterminatePresent}/${count(r.indeterminateLost)}${excused}`, late];
}

const LEDGER_HEADS = ['INDET.', 'LATE ACKED'];
const LEDGER_LEGEND =
  'LOST: acknowledged writes missing at the end; INDET.: writes with no answer in time, present/missing at the end (excused: missing, sent after the fault and never answered, which the scenario allows up to a cap); LATE ACKED: answered OK after the timeout, and how many of those are missing (acknowledged losses in truth)';

/** A Sentinel scenario's runs as a table, with the sides of a partition and the failover spread. */
function renderSentinel(runs: SentinelRun[]): string[] {
  const rows = runs.map((r, i) => [
    String(i + 1),
    r.failover ? `${r.oldMaster ?? '?'} -> ${r.newMaster ?? '?'}` : 'no failover',
    formatSeconds(r.sdownMs),
    formatSeconds(r.odownMs),
    formatSeconds(r.switchMasterMs),
    formatSeconds(r.writeUnavailableMs),
    formatSeconds(r.readUnavailableMs),
    r.twoMastersMs > 0 ? formatSeconds(r.twoMastersMs) : '-',
    `${r.acknowledged}/${r.attempted}`,
    String(r.ackedLost),
    ...ledgerCells(r),
    verdictText(r),
  ]);
  const lines = [
    table(
      [
        'RUN',
        'FAILOVER',
        '+SDOWN',
        '+ODOWN',
        '+SWITCH',
        'NO WRITES',
        'NO READS',
        'TWO MASTERS',
        'ACKED',
        'LOST',
        ...LEDGER_HEADS,
        'VERDICT',
      ],
      rows,
    ),
  ];
  // in a partition: which side took the writes, and whose were lost
  for (const [i, r] of runs.entries()) {
    if (r.writersIn === null || r.byNode.length === 0) continue;
    const sides = r.byNode.map((n) => {
      const role = nodeRole(r, n.node);
      return `${n.node}${role ? ` (${role})` : ''} acked ${n.acked}, lost ${n.lost}`;
    });
    lines.push(`run ${i + 1}, writers in ${r.writersIn}: ${sides.join('; ')}`);
  }
  return lines;
}

/** A cluster scenario's runs: PFAIL, FAIL, the promotion, each shard's writes, a reshard. */
function renderCluster(runs: ClusterRun[]): string[] {
  const rows = runs.map((r, i) => [
    String(i + 1),
    r.failover ? `${r.oldMaster ?? '?'} -> ${r.newMaster ?? '?'}` : 'no failover',
    formatSeconds(r.pfailMs),
    formatSeconds(r.failMs),
    formatSeconds(r.promotedMs),
    formatSeconds(r.writeUnavailableMs),
    formatSeconds(r.cluster.otherShardsUnavailableMs),
    r.cluster.clusterFailMs > 0 ? formatSeconds(r.cluster.clusterFailMs) : '-',
    `${r.acknowledged}/${r.attempted}`,
    String(r.ackedLost),
    ...ledgerCells(r),
    verdictText(r),
  ]);
  const lines = [
    table(
      [
        'RUN',
        'FAILOVER',
        'PFAIL',
        'FAIL',
        'PROMOTED',
        'NO WRITES',
        'OTHER SHARDS',
        'CLUSTER DOWN',
        'ACKED',
        'LOST',
        ...LEDGER_HEADS,
        'VERDICT',
      ],
      rows,
    ),
    `NO WRITES: the longest time without an acknowledged write to ${runs.some((r) => r.cluster.reshard) ? 'the moved slots' : "the shard's slots"}; OTHER SHARDS: the same for every other key; CLUSTER DOWN: how long some node said cluster_state:fail`,
  ];
  for (const [i, r] of runs.entries()) {
    const facts = r.cluster;
    const shards = facts.shards.map((s) => {
      const moved =
        s.masterAfter !== null && s.masterAfter !== s.shard ? ` -> ${s.masterAfter}` : '';
      return `${s.shard}${moved} acked ${s.acknowledged}/${s.attempted}, lost ${s.ackedLost}, no writes ${formatSeconds(s.writeUnavailableMs)}`;
    });
    lines.push(`run ${i + 1} by shard: ${shards.join('; ')}`);
    const after = facts.oldMasterAfterFault;
    if (r.writersIn !== null && after)
      lines.push(
        `run ${i + 1}, writers in ${r.writersIn}: the old master ${facts.shard ?? '?'} acknowledged ${after.acknowledged} writes after the fault, ${after.lost} of them lost`,
      );
    const m = facts.reshard;
    if (m)
      lines.push(
        `run ${i + 1} reshard: ${m.slotsMoved} slots, ${m.keysMoved} keys from ${m.from} to ${m.to} in ${formatSeconds(m.ms)}`,
      );
  }
  return lines;
}

/** One scenario's result for a person: a table of runs and what to read from it. */
export function renderResult(result: ScenarioResult): string {
  const cluster = result.kind === 'cluster';
  const sentinelRuns = result.runs.filter((r): r is SentinelRun => r.kind === 'sentinel');
  const clusterRuns = result.runs.filter((r): r is ClusterRun => r.kind === 'cluster');
  const lines = [
    `${result.scenario}: ${result.description}`,
    ...(sentinelRuns.length > 0 ? renderSentinel(sentinelRuns) : []),
    ...(clusterRuns.length > 0 ? renderCluster(clusterRuns) : []),
    LEDGER_LEGEND,
  ];
  if (!result.expectFailover && result.noFailoverBecause)
    lines.push(`no failover expected: ${result.noFailoverBecause}`);
  const s = result.summary.switchMasterMs;
  if (s)
    lines.push(
      `${cluster ? 'replica promoted' : 'switch-master'} after the fault: min ${formatSeconds(s.min)}, p50 ${formatSeconds(s.p50)}, p95 ${formatSeconds(s.p95)}, max ${formatSeconds(s.max)}`,
    );
  return lines.join('\n');
}

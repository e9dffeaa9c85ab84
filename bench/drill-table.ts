/**
 * The summary table of docs/drills.md from `quorum drill ... --json` output: one row per
 * scenario, each run's figures side by side. Cluster runs get the cluster columns (PFAIL, FAIL,
 * promotion, the other shards, cluster_state:fail). "acked lost" counts every write that got an OK,
 * in time or late; a late one is also among the indeterminate.
 *
 *   npx tsx bench/drill-table.ts RESULTS.json [LABEL_SUFFIX]
 */
import { readFileSync } from 'node:fs';
import type { ScenarioResult } from '../src/drill/index.js';
import { scenarioResultSchema } from '../src/drill/index.js';

const [file, suffix = ''] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: npx tsx bench/drill-table.ts RESULTS.json [LABEL_SUFFIX]\n');
  process.exit(2);
}
const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
const results: ScenarioResult[] = (Array.isArray(parsed) ? parsed : [parsed]).map((r) =>
  scenarioResultSchema.parse(r),
);

const s = (ms: number | null) => (ms === null ? '-' : `${(ms / 1000).toFixed(2)} s`);
const each = <T>(runs: T[], f: (r: T) => string) => runs.map(f).join(', ');

const rows = results.map((result) => {
  const runs = result.runs;
  const takeover = (r: (typeof runs)[number]) =>
    s(r.kind === 'sentinel' ? r.switchMasterMs : r.promotedMs);
  const lost = (r: (typeof runs)[number]) =>
    `${r.ackedLost + (r.lateAckedLost ?? 0)}/${r.acknowledged + (r.lateAcked ?? 0)}${r.failed > 0 ? ` (${r.failed} refused)` : ''}`;
  const indet = (r: (typeof runs)[number]) => {
    const notes = [
      (r.lateAcked ?? 0) > 0 ? `${String(r.lateAcked)} late` : '',
      (r.unansweredExempted ?? 0) > 0 ? `${String(r.unansweredExempted)} excused` : '',
    ].filter((n) => n !== '');
    return `${r.indeterminateLost ?? '-'}/${r.indeterminate}${notes.length > 0 ? ` (${notes.join(', ')})` : ''}`;
  };
  return [
    `${result.scenario}${suffix}`,
    runs.some((r) => r.failover) ? 'yes' : 'no',
    each(runs, takeover),
    each(runs, (r) => s(r.writeUnavailableMs)),
    runs.some((r) => r.twoMastersMs > 0) ? each(runs, (r) => s(r.twoMastersMs)) : '-',
    each(runs, lost),
    each(runs, indet),
    runs.every((r) => r.violations.length === 0)
      ? 'as expected'
      : [...new Set(runs.flatMap((r) => r.violations))].join('; '),
  ];
});
/** Each run's seconds of `f`, as "a, b, c s" ("-" when none has it). */
const secs = <T>(runs: T[], f: (r: T) => number | null | undefined) =>
  runs.every((r) => f(r) === null || f(r) === undefined)
    ? '-'
    : `${runs.map((r) => (f(r) == null ? '-' : ((f(r) ?? 0) / 1000).toFixed(2))).join(', ')} s`;

const clusterRows = results.map((result) => {
  const runs = result.runs.flatMap((r) => (r.kind === 'cluster' ? [r] : []));
  const other = (r: (typeof runs)[number]) => r.cluster.otherShardsUnavailableMs;
  return [
    `${result.scenario}${suffix}`,
    secs(runs, (r) => r.pfailMs),
    secs(runs, (r) => r.failMs),
    secs(runs, (r) => r.promotedMs),
    secs(runs, (r) => r.writeUnavailableMs),
    secs(runs, other),
    secs(runs, (r) => (r.cluster.clusterFailMs > 0 ? r.cluster.clusterFailMs : null)),
    each(
      runs,
      (r) =>
        `${r.ackedLost + (r.lateAckedLost ?? 0)}/${r.acknowledged + (r.lateAcked ?? 0)}${r.failed > 0 ? ` (${r.failed} refused)` : ''}`,
    ),
    each(runs, (r) => `${r.indeterminateLost ?? '-'}/${r.indeterminate}`),
    runs.every((r) => r.violations.length === 0)
      ? 'as expected'
      : [...new Set(runs.flatMap((r) => r.violations))].join('; '),
  ];
});
const clusterHead = [
  'scenario',
  'PFAIL',
  'FAIL',
  'replica promoted',
  "no writes, the shard's slots",
  'no writes, other shards',
  'cluster_state:fail',
  `acked lost (${String(results[0]?.runs.length ?? 0)} runs)`,
  'indeterminate missing',
  'verdict',
];
const head = [
  'scenario',
  'failover',
  `takeover (${String(results[0]?.runs.length ?? 0)} runs)`,
  'no writes',
  'two masters',
  'acked lost',
  'indeterminate missing',
  'verdict',
];
const cluster = results.some((r) => r.runs.some((run) => run.kind === 'cluster'));
const [h, body] = cluster ? [clusterHead, clusterRows] : [head, rows];
process.stdout.write(
  [h, h.map(() => '---'), ...body].map((r) => `| ${r.join(' | ')} |`).join('\n') + '\n',
);

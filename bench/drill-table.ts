/**
 * The summary table of docs/drills.md from `quorum drill ... --json` output: one row per
 * scenario, each run's figures side by side.
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
    `${r.ackedLost + (r.lateAckedLost ?? 0)}/${r.acknowledged}${r.failed > 0 ? ` (${r.failed} refused)` : ''}`;
  const indet = (r: (typeof runs)[number]) =>
    `${r.indeterminateLost ?? '-'}/${r.indeterminate}${(r.lateAcked ?? 0) > 0 ? ` (${r.lateAcked} late)` : ''}`;
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
process.stdout.write(
  [head, head.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n') + '\n',
);

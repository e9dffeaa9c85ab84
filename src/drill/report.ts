import { assertNever, formatSeconds, nodeRole } from '../model/index.js';
import type { ClusterRun, DrillRun, SentinelRun } from './types.js';
import type { ScenarioResult } from './summary.js';
import { expectations } from './summary.js';
import { countsVerdict } from '../model/deviation.js';

/** The indeterminate writes' columns: present and missing at the end, and acknowledged late. */
const LEDGER_HEADS =
  '<th>indeterminate present</th><th>indeterminate missing</th><th>acknowledged late</th><th>acknowledged late, missing</th>';

function ledgerCells(run: DrillRun): string {
  // null: a run kept before late replies were recorded
  const cell = (n: number | null, bad = false) =>
    `<td class="${bad && (n ?? 0) > 0 ? 'bad' : ''}">${n === null ? '-' : String(n)}</td>`;
  return `${cell(run.indeterminatePresent)}${cell(run.indeterminateLost)}${cell(run.lateAcked)}${cell(run.lateAckedLost, true)}`;
}

function escape(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

const COLORS: Record<string, string> = {
  '+sdown': '#d97706',
  '+odown': '#dc2626',
  '+elected-leader': '#7c3aed',
  '+promoted-slave': '#2563eb',
  '+switch-master': '#16a34a',
  '+convert-to-slave': '#0891b2',
  '+tilt': '#db2777',
  'quorum:node-pfail': '#d97706',
  'quorum:node-fail': '#dc2626',
  'quorum:cluster-failover': '#16a34a',
  'quorum:slots-moved': '#2563eb',
  'cluster_state:fail': '#b91c1c',
  'cluster_state:ok': '#0891b2',
};

/** What the chart calls an event: its type, or for quorum:cluster-state the state it reached. */
function markOf(e: { type: string; message: string }): string {
  if (e.type !== 'quorum:cluster-state') return e.type;
  return `cluster_state:${/state is (\w+)/.exec(e.message)?.[1] ?? '?'}`;
}

/** Writes per 250 ms with the fault, the marked events and the longest write gap (SVG, pure). */
function chart(run: DrillRun): string {
  const { series } = run;
  const width = 760;
  const height = 170;
  const top = 24;
  const bottom = 20;
  const plot = height - top - bottom;
  const n = series.acked.length;
  const spanMs = n * series.stepMs;
  const x = (ms: number) => ((ms - series.fromMs) / spanMs) * width;
  const max = Math.max(1, ...series.acked.map((a, i) => a + (series.failed[i] ?? 0)));
  const barW = width / n;
  const bars = series.acked
    .map((acked, i) => {
      const failed = series.failed[i] ?? 0;
      const ha = (acked / max) * plot;
      const hf = (failed / max) * plot;
      const bx = (i * barW).toFixed(1);
      return (
        `<rect x="${bx}" y="${(top + plot - ha).toFixed(1)}" width="${Math.max(1, barW - 1).toFixed(1)}" height="${ha.toFixed(1)}" fill="#0f766e"/>` +
        (failed > 0
          ? `<rect x="${bx}" y="${(top + plot - ha - hf).toFixed(1)}" width="${Math.max(1, barW - 1).toFixed(1)}" height="${hf.toFixed(1)}" fill="#dc2626"/>`
          : '')
      );
    })
    .join('');
  const gap = `<rect x="${x(run.writeUnavailableFromMs).toFixed(1)}" y="${top}" width="${Math.max(1, x(run.writeUnavailableFromMs + run.writeUnavailableMs) - x(run.writeUnavailableFromMs)).toFixed(1)}" height="${plot}" fill="rgba(220,38,38,0.12)"><title>no acknowledged write${run.kind === 'cluster' ? " to the failed shard's slots" : ''} for ${(run.writeUnavailableMs / 1000).toFixed(2)} s</title></rect>`;
  // the fault's span, from injection to heal (a partition's time on the timeline)
  const span =
    run.healMs === null
      ? ''
      : `<rect x="${x(0).toFixed(1)}" y="${top - 6}" width="${Math.max(1, x(run.healMs) - x(0)).toFixed(1)}" height="4" fill="#111827"><title>${escape(run.injected)}: ${(run.healMs / 1000).toFixed(2)} s until healed</title></rect>`;
  const firstOfEach = new Map<string, number>();
  for (const e of run.events) if (!firstOfEach.has(markOf(e))) firstOfEach.set(markOf(e), e.ms);
  // lines only: events a few ms apart would print over each other; the legend names them
  const healed = run.healMs === null ? [] : [['heal', run.healMs] as const];
  const marks = [['fault', 0] as const, ...healed, ...[...firstOfEach.entries()]]
    .map(([type, ms]) => {
      const mx = x(ms).toFixed(1);
      const color = type === 'fault' || type === 'heal' ? '#111827' : (COLORS[type] ?? '#6b7280');
      return `<line x1="${mx}" x2="${mx}" y1="${top - 4}" y2="${top + plot}" stroke="${color}" stroke-width="1.5"><title>${escape(type)} ${(ms / 1000).toFixed(2)} s</title></line>`;
    })
    .join('');
  const ticks: string[] = [];
  for (let s = Math.ceil(series.fromMs / 1000); s * 1000 <= series.fromMs + spanMs; s++) {
    const tx = x(s * 1000).toFixed(1);
    ticks.push(
      `<line x1="${tx}" x2="${tx}" y1="${top + plot}" y2="${top + plot + 4}" stroke="#9ca3af"/><text x="${tx}" y="${height - 4}" font-size="10" fill="#6b7280" text-anchor="middle">${s}s</text>`,
    );
  }
  const legend = [['fault', 0] as const, ...healed, ...[...firstOfEach.entries()]]
    .map(
      ([type, ms]) =>
        `<span style="color:${type === 'fault' || type === 'heal' ? '#111827' : (COLORS[type] ?? '#6b7280')}">&#9646; ${escape(type)} ${(ms / 1000).toFixed(2)} s</span>`,
    )
    .join(' ');
  return `<svg viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="writes per 250 ms around the fault">${gap}${span}${bars}${marks}${ticks.join('')}</svg><div class="legend">${legend}</div>`;
}

/** Which node acknowledged the writes, and whose were lost: the sides of a partition (pure). */
export function sidesTable(run: DrillRun): string {
  if (run.byNode.length === 0) return '';
  const rows = run.byNode
    .map(
      (n) =>
        `<tr><td>${escape(n.node)}</td><td>${nodeRole(run, n.node)}</td><td>${n.acked}</td><td class="${n.lost > 0 ? 'bad' : ''}">${n.lost}</td></tr>`,
    )
    .join('');
  const where = run.writersIn ? ` (writers in ${escape(run.writersIn)})` : '';
  return `<table><tr><th>acknowledged by${where}</th><th></th><th>acknowledged</th><th>lost</th></tr>${rows}</table>`;
}

/** One Sentinel run's timings and counts. */
function sentinelTable(run: SentinelRun): string {
  return `<table><tr><th>+sdown</th><th>+odown</th><th>+switch-master</th><th>first write</th><th>no writes</th><th>no reads</th><th>replicas follow</th><th>attempted</th><th>acknowledged</th><th>lost</th>${LEDGER_HEADS}</tr>
<tr><td>${formatSeconds(run.sdownMs)}</td><td>${formatSeconds(run.odownMs)}</td><td>${formatSeconds(run.switchMasterMs)}</td><td>${formatSeconds(run.firstWriteMs)}</td><td>${formatSeconds(run.writeUnavailableMs)}</td><td>${formatSeconds(run.readUnavailableMs)}</td><td>${formatSeconds(run.replicasFollowMs)}</td><td>${run.attempted}</td><td>${run.acknowledged}</td><td>${run.ackedLost}</td>${ledgerCells(run)}</tr></table>`;
}

/** One cluster run's timings and counts, then each shard's writes (pure). */
function clusterTables(run: ClusterRun): string {
  const facts = run.cluster;
  const slots = facts.reshard ? 'the moved slots' : "the shard's slots";
  const head = `<table><tr><th>PFAIL</th><th>FAIL</th><th>replica promoted</th><th>first write to ${slots}</th><th>no writes to ${slots}</th><th>no writes to other shards</th><th>cluster_state:fail</th><th>no reads</th><th>attempted</th><th>acknowledged</th><th>lost</th>${LEDGER_HEADS}</tr>
<tr><td>${formatSeconds(run.pfailMs)}</td><td>${formatSeconds(run.failMs)}</td><td>${formatSeconds(run.promotedMs)}</td><td>${formatSeconds(run.firstWriteMs)}</td><td>${formatSeconds(run.writeUnavailableMs)}</td><td>${formatSeconds(facts.otherShardsUnavailableMs)}</td><td>${formatSeconds(facts.clusterFailMs)}</td><td>${formatSeconds(run.readUnavailableMs)}</td><td>${run.attempted}</td><td>${run.acknowledged}</td><td>${run.ackedLost}</td>${ledgerCells(run)}</tr></table>`;
  const after = facts.oldMasterAfterFault;
  const minority =
    run.writersIn !== null && after
      ? `<p>the old master ${escape(facts.shard ?? '?')}, on the writers' side (${escape(run.writersIn)}), acknowledged ${after.acknowledged} writes after the fault; <span class="${after.lost > 0 ? 'bad' : ''}">${after.lost} of them were lost</span></p>`
      : '';
  if (facts.shards.length === 0) return `${head}${minority}`;
  const rows = facts.shards
    .map(
      (s) =>
        `<tr><td>${escape(s.shard)}</td><td>${escape(s.masterAfter ?? '-')}</td><td>${s.slots}</td><td>${s.attempted}</td><td>${s.acknowledged}</td><td>${s.failed}</td><td>${s.indeterminate}</td><td class="${s.ackedLost > 0 ? 'bad' : ''}">${s.ackedLost}</td><td>${formatSeconds(s.writeUnavailableMs)}</td></tr>`,
    )
    .join('');
  return `${head}${minority}<table><tr><th>shard (master at the start)</th><th>master at the end</th><th>slots</th><th>attempted</th><th>acknowledged</th><th>refused</th><th>indeterminate</th><th>lost</th><th>no writes</th></tr>${rows}</table>`;
}

/** One run's timings and counts, as its kind has them. */
function runTables(run: DrillRun): string {
  switch (run.kind) {
    case 'sentinel':
      return sentinelTable(run);
    case 'cluster':
      return clusterTables(run);
    default:
      return assertNever(run);
  }
}

/** A standalone HTML report: summary, then per run a chart, the measurements and their bounds. */
export function renderReport(
  results: ScenarioResult[],
  meta: { deployment: string; generatedAt: Date },
): string {
  const cluster = results.length > 0 && results.every((r) => r.kind === 'cluster');
  const summary = results
    .map((r) => {
      const s = r.summary.switchMasterMs;
      const ok = r.summary.violations === 0;
      return `<tr><td><a href="#${escape(r.scenario)}">${escape(r.scenario)}</a></td><td>${r.runs.length}</td><td>${r.expectFailover ? 'yes' : 'no'}</td><td>${s ? `${formatSeconds(s.min)} / ${formatSeconds(s.p50)} / ${formatSeconds(s.p95)} / ${formatSeconds(s.max)}` : '-'}</td><td>${r.summary.writeUnavailableMs ? formatSeconds(r.summary.writeUnavailableMs.p50) : '-'}</td><td>${r.summary.ackedLost ? `${r.summary.ackedLost.p50} (max ${r.summary.ackedLost.max})` : '-'}</td><td class="${ok ? 'ok' : 'bad'}">${countsVerdict(r.summary.violations, r.summary.deviations)}</td></tr>`;
    })
    .join('');
  const sections = results
    .map((r) => {
      const runs = r.runs
        .map((run, i) => {
          const rows = expectations(r, run)
            .map(
              ([what, expected, measured]) =>
                `<tr><td>${escape(what)}</td><td>${escape(expected)}</td><td>${escape(measured)}</td></tr>`,
            )
            .join('');
          const lost =
            run.ackedLostValues.length > 0
              ? `<p class="muted">lost values (first ${run.ackedLostValues.length}): <code>${escape(run.ackedLostValues.join(' '))}</code></p>`
              : '';
          const sides = sidesTable(run);
          const broken =
            run.violations.length > 0
              ? `<ul class="bad">${run.violations.map((v) => `<li>${escape(v)}</li>`).join('')}</ul>`
              : '';
          const unusual =
            run.deviations.length > 0
              ? `<ul class="unusual">${run.deviations.map((v) => `<li>${escape(v)}</li>`).join('')}</ul>`
              : '';
          return `<div class="run"><h3>run ${i + 1}</h3>${chart(run)}
${runTables(run)}
${sides}<table><tr><th>check</th><th>expected</th><th>measured</th></tr>${rows}</table>${lost}${broken}${unusual}</div>`;
        })
        .join('');
      return `<section id="${escape(r.scenario)}"><h2>${escape(r.scenario)}</h2><p class="muted">${escape(r.description)}</p>${runs}</section>`;
    })
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>quorum drill report</title>
<style>
body{font-family:system-ui,sans-serif;margin:24px auto;max-width:980px;padding:0 16px;color:#1b1f24}
table{border-collapse:collapse;width:100%;margin:8px 0;font-size:13px}th,td{border-bottom:1px solid #e5e7eb;padding:4px 6px;text-align:left}
th{color:#5b6470;font-weight:500}.muted{color:#5b6470}.ok{color:#16a34a}.bad{color:#dc2626}.unusual{color:#b45309}
section{margin-top:28px}.run{border:1px solid #e5e7eb;border-radius:8px;padding:8px 12px;margin:10px 0}
code{font-size:12px}.legend span{display:inline-block;margin-right:12px;font-size:12px}
</style></head><body>
<h1>quorum drill report</h1>
<p class="muted">deployment '${escape(meta.deployment)}', ${escape(meta.generatedAt.toISOString())}. Bars: acknowledged writes (teal) and failed or unanswered ones (red) per 250 ms; lines: the fault and the first of each ${cluster ? "cluster event (quorum's, from each node's CLUSTER NODES)" : 'Sentinel event'}; shading: the longest window without an acknowledged write${cluster ? " to the shard's (or the moved) slots" : ''}. Indeterminate writes had no answer within the writers' timeout: present or missing at the end; those acknowledged late were applied after all, so one missing is an acknowledged write lost.</p>
<table><tr><th>scenario</th><th>runs</th><th>failover expected</th><th>${cluster ? 'replica promoted' : '+switch-master'} min / p50 / p95 / max</th><th>no writes (p50)</th><th>acked lost (p50)</th><th>verdict</th></tr>${summary}</table>
${sections}
</body></html>
`;
}

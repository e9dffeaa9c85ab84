import type { DrillRecord, DrillRun, RunVia } from '../../../src/server/contract.js';
import { nodeRole } from '../../../src/model/index.js';
import { formatSeconds } from '../../../src/model/format.js';
import { assertNever } from '../../../src/model/never.js';
import { verdictText } from '../../../src/model/deviation.js';
import { drillReportUrl } from '../api.js';
import { drillMarkers, gapCaption } from '../drill-chart.js';
import { DrillChart } from './DrillChart.js';
import { dateTime } from '../time-format.js';

/** When a drill ran: a date and a 24-hour time, as everywhere on the dashboard. */
export const when = dateTime;

/** How a run's writers found the master, for a person. */
export const VIA_LABEL: Record<RunVia, string> = {
  sentinel: 'Sentinel (ioredis)',
  'role-check': 'a role:master check (as HAProxy)',
  proxy: "quorum's proxy",
  cluster: 'the cluster (ioredis Cluster, following MOVED/ASK)',
};

/** A run's timings, as its kind names them. */
function RunTiming({ run }: { run: DrillRun }) {
  switch (run.kind) {
    case 'sentinel':
      return (
        <>
          <dt>+sdown / +odown / +switch-master</dt>
          <dd>
            {formatSeconds(run.sdownMs)} / {formatSeconds(run.odownMs)} /{' '}
            {formatSeconds(run.switchMasterMs)}
          </dd>
        </>
      );
    case 'cluster':
      return (
        <>
          <dt>PFAIL / FAIL / promoted</dt>
          <dd>
            {formatSeconds(run.pfailMs)} / {formatSeconds(run.failMs)} /{' '}
            {formatSeconds(run.promotedMs)}
          </dd>
        </>
      );
    default:
      return assertNever(run);
  }
}

/** One stored drill: a chart per run and what each run measured. */
export function PastDrill({ deployment, record }: { deployment: string; record: DrillRecord }) {
  const { result } = record;
  return (
    <section className="panel" data-testid="past-drill">
      <h2>
        {result.scenario} · {when(record.startedAtMs)}
        <span style={{ flex: 1 }} />
        <a href={drillReportUrl(deployment, record.id)} target="_blank" rel="noreferrer">
          open the report
        </a>
      </h2>
      <p className="muted">{result.description}</p>
      {result.runs.map((run, i) => (
        <div key={run.faultAtMs} style={{ marginBottom: 16 }}>
          <DrillChart
            series={run.series}
            markers={drillMarkers(run.events, true)}
            gap={{ fromMs: run.writeUnavailableFromMs, ms: run.writeUnavailableMs }}
            height={180}
          />
          <p className="muted">{gapCaption(run)}</p>
          <dl className="kv">
            <dt>run</dt>
            <dd>
              {i + 1} of {result.runs.length}
            </dd>
            <dt>failover</dt>
            <dd className="mono">
              {run.failover ? `${run.oldMaster ?? '?'} → ${run.newMaster ?? '?'}` : 'none'}
            </dd>
            <RunTiming run={run} />
            <dt>writers via</dt>
            <dd>{VIA_LABEL[run.via]}</dd>
            <dt>longest time without a write</dt>
            <dd>{formatSeconds(run.writeUnavailableMs)}</dd>
            {run.twoMastersMs > 0 && (
              <>
                <dt>two nodes said role:master</dt>
                <dd>{formatSeconds(run.twoMastersMs)}</dd>
              </>
            )}
            <dt>acknowledged writes lost</dt>
            <dd data-testid="acked-lost">
              {run.ackedLost} of {run.acknowledged} ({(run.lossRate * 100).toFixed(2)}%)
            </dd>
            {run.indeterminateLost !== null && (
              <>
                <dt>indeterminate writes (no answer in time)</dt>
                <dd data-testid="indeterminate">
                  {run.indeterminate}: {run.indeterminatePresent} present, {run.indeterminateLost}{' '}
                  missing
                </dd>
                <dt>acknowledged after the timeout</dt>
                <dd data-testid="late-acked" className={(run.lateAckedLost ?? 0) > 0 ? 'bad' : ''}>
                  {run.lateAcked ?? 0}, {run.lateAckedLost ?? 0} of them missing
                </dd>
              </>
            )}
            <dt>verdict</dt>
            <dd className={run.violations.length === 0 ? '' : 'bad'}>{verdictText(run)}</dd>
          </dl>
          {run.writersIn !== null && run.byNode.length > 0 && (
            <table className="matrix by-node" data-testid="sides">
              <thead>
                <tr>
                  <th>acknowledged by (writers in {run.writersIn})</th>
                  <th></th>
                  <th className="num">acknowledged</th>
                  <th className="num">lost</th>
                </tr>
              </thead>
              <tbody>
                {run.byNode.map((n) => (
                  <tr key={n.node}>
                    <td className="mono">{n.node}</td>
                    <td>{nodeRole(run, n.node)}</td>
                    <td className="num">{n.acked}</td>
                    <td className={n.lost > 0 ? 'num bad' : 'num'}>{n.lost}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      ))}
    </section>
  );
}

import { useEffect, useMemo, useState } from 'react';
import type { DrillRecord, Via } from '../../../src/server/contract.js';
import type { DeploymentState, DrillsState, Session } from '../../../src/server/contract.js';
import { drillRecord, drillsState, startDrill, stopDrill } from '../api.js';
import { isFinished } from '../../../src/model/index.js';
import { formatSeconds } from '../../../src/model/format.js';
import { countsVerdict } from '../../../src/model/deviation.js';
import { DrillChart } from '../components/DrillChart.js';
import { PastDrill, VIA_LABEL, when } from '../components/PastDrill.js';
import { Confirm } from '../components/Confirm.js';
import { drillMarkers } from '../drill-chart.js';
import { scenarioBlocked, selectableScenario } from '../drills.js';
import { useLive } from '../live.js';

/** A drill's phase for a person: `fault-injected` reads "fault injected". */
function phaseLabel(phase: string): string {
  return phase.replaceAll('-', ' ');
}

/** Start a drill, watch it live, and look at past ones (kept under `<dir>/drills/`). */
export function DrillsPage({
  token,
  session,
  deployment,
}: {
  token: string;
  session: Session;
  deployment: DeploymentState;
}) {
  const live = useLive();
  const changed = live.drillsChanged[deployment.name] ?? 0;
  const [state, setState] = useState<DrillsState | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [scenario, setScenario] = useState('kill-master');
  const [runs, setRuns] = useState(1);
  const [via, setVia] = useState<Via | ''>('');
  const [confirming, setConfirming] = useState(false);
  const [openId, setOpenId] = useState<string | null>(null);
  const [record, setRecord] = useState<DrillRecord | null>(null);
  // the stream's latest word, else what the page loaded (a drill started before it opened)
  const latest = live.drills[deployment.name] ?? state?.last ?? null;
  const running = latest && !isFinished(latest) ? latest : null;
  const ended = latest && isFinished(latest) ? latest : null;

  useEffect(() => {
    drillsState(token, deployment.name).then(
      (s) => {
        setState(s);
        // at first and whenever a drill ended: open the newest
        setOpenId(s.past[0]?.id ?? null);
      },
      (err: unknown) => setError(err instanceof Error ? err.message : String(err)),
    );
  }, [token, deployment.name, changed]);

  useEffect(() => {
    if (!openId) return;
    drillRecord(token, deployment.name, openId).then(setRecord, (err: unknown) =>
      setError(err instanceof Error ? err.message : String(err)),
    );
  }, [token, deployment.name, openId]);

  const lab = deployment.network !== null;
  // a pick that cannot run here (a lab scenario off a lab) shows and starts the first that can
  const picked = selectableScenario(state?.scenarios ?? [], scenario, lab);
  const chosen = state?.scenarios.find((s) => s.name === picked);
  const canAct = session.role === 'admin' && !session.readOnly;
  const healthy = deployment.problems.length === 0;
  const why = !canAct
    ? 'needs the admin role'
    : !state?.available
      ? (state?.why ?? 'loading')
      : running
        ? 'a drill is running'
        : !chosen
          ? 'no scenario can run on this deployment'
          : !healthy
            ? `the deployment is not healthy: ${deployment.problems.join('; ')}`
            : null;
  const markers = useMemo(
    () => (running ? drillMarkers(running.events, running.faultAtMs !== null) : []),
    [running],
  );

  const start = async (name: string) => {
    setConfirming(false);
    setError(null);
    try {
      await startDrill(token, deployment.name, { scenario: name, runs, ...(via ? { via } : {}) });
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };

  return (
    <div style={{ display: 'grid', gap: 16 }}>
      <section className="panel">
        <h2>Run a drill</h2>
        {state && !state.available && <p className="muted">{state.why}</p>}
        <div className="drill-form">
          <label>
            scenario{' '}
            <select
              value={picked ?? ''}
              onChange={(e) => setScenario(e.target.value)}
              aria-label="scenario"
            >
              {state?.scenarios.map((s) => {
                const blocked = scenarioBlocked(s, lab);
                return (
                  <option key={s.name} value={s.name} disabled={blocked !== null}>
                    {s.name}
                    {blocked ? ` (${blocked})` : ''}
                  </option>
                );
              })}
            </select>
          </label>
          <label>
            runs{' '}
            <input
              type="number"
              min={1}
              max={10}
              value={runs}
              style={{ width: 60 }}
              onChange={(e) => setRuns(Math.min(10, Math.max(1, Number(e.target.value) || 1)))}
              aria-label="runs"
            />
          </label>
          <label>
            writers via{' '}
            <select
              value={via}
              onChange={(e) => setVia(e.target.value as Via | '')}
              aria-label="writers via"
            >
              <option value="">the scenario's choice</option>
              {state?.vias.map((v) => (
                <option key={v} value={v}>
                  {VIA_LABEL[v]}
                </option>
              ))}
            </select>
          </label>
          <button
            className="danger"
            disabled={why !== null}
            title={why ?? 'breaks the deployment on purpose, measures, then heals'}
            onClick={() => setConfirming(true)}
          >
            Start drill
          </button>
          {running && (
            <button
              disabled={!canAct || running.phase === 'stopping'}
              onClick={() =>
                void stopDrill(token, deployment.name).catch((err: unknown) =>
                  setError(err instanceof Error ? err.message : String(err)),
                )
              }
            >
              Stop (heals first)
            </button>
          )}
        </div>
        {chosen && (
          <p className="muted" style={{ marginBottom: 0 }}>
            {chosen.description}.{' '}
            {chosen.expectFailover ? 'A failover is expected.' : 'No failover is expected.'}
          </p>
        )}
        {error && <p className="problems">{error}</p>}
      </section>
      {running && (
        <section className="panel" data-testid="live-drill">
          <h2>
            Running: {running.scenario} · run {running.run} of {running.runs} ·{' '}
            <span data-testid="drill-phase">{phaseLabel(running.phase)}</span>
          </h2>
          <DrillChart series={running.series} markers={markers} gap={null} />
          <pre className="drill-log">{running.lines.join('\n')}</pre>
        </section>
      )}
      {ended && (
        <section className="panel" data-testid="ended-drill">
          <h2>
            Last drill: {ended.scenario} ·{' '}
            <span className={ended.phase === 'done' ? '' : 'bad'}>{phaseLabel(ended.phase)}</span>
          </h2>
          <pre className="drill-log">{ended.lines.join('\n')}</pre>
        </section>
      )}
      <section className="panel">
        <h2>Past drills</h2>
        {state && state.past.length === 0 && (
          <p className="muted">
            None yet. Drills from the command line (quorum drill) are kept here too.
          </p>
        )}
        {state && state.past.length > 0 && (
          <div className="scroll-x">
            <table className="matrix" data-testid="past-drills">
              <thead>
                <tr>
                  <th>when</th>
                  <th>scenario</th>
                  <th>runs</th>
                  <th>
                    {deployment.topology?.kind === 'cluster'
                      ? 'replica promoted p50'
                      : '+switch-master p50'}
                  </th>
                  <th>no writes p50</th>
                  <th>acked lost (max)</th>
                  <th>verdict</th>
                </tr>
              </thead>
              <tbody>
                {state.past.map((p) => (
                  <tr
                    key={p.id}
                    className={p.id === openId ? 'selected' : undefined}
                    onClick={() => setOpenId(p.id)}
                    style={{ cursor: 'pointer' }}
                  >
                    <td>{when(p.startedAtMs)}</td>
                    <td className="mono">{p.scenario}</td>
                    <td>{p.runs}</td>
                    <td>{formatSeconds(p.switchMasterP50Ms)}</td>
                    <td>{formatSeconds(p.writeUnavailableP50Ms)}</td>
                    <td>{p.ackedLostMax ?? '-'}</td>
                    <td className={p.violations === 0 ? '' : 'bad'}>
                      {countsVerdict(p.violations, p.deviations)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {record && record.id === openId && <PastDrill deployment={deployment.name} record={record} />}
      {confirming && chosen && (
        <Confirm
          title={`Run ${chosen.name} on ${deployment.name}?`}
          body={`${chosen.description}. ${String(runs)} run${runs === 1 ? '' : 's'}: 4 writers add about 1000 test values a second to a quorum:drill:* key (deleted afterwards) while the fault is injected; every fault is healed at the end, and Stop heals too.`}
          verb="Start drill"
          onConfirm={() => void start(chosen.name)}
          onCancel={() => setConfirming(false)}
        />
      )}
    </div>
  );
}

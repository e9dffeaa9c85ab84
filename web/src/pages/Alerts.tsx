import { useEffect, useState } from 'react';
import type { Alert, DeploymentState } from '../../../src/server/contract.js';
import { alertsState } from '../api.js';
import { alertTiming, groupAlerts } from '../alerts.js';
import { seedAlerts, useLive } from '../live.js';

/** The current time, again every second: the durations on the page count up. */
function useNow(): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

function AlertRow({ alert, now }: { alert: Alert; now: number }) {
  return (
    <li
      className={`alert ${alert.severity} ${alert.status}`}
      data-testid="alert"
      data-rule={alert.rule}
      data-subject={alert.subject ?? ''}
      data-status={alert.status}
    >
      <div className="head">
        <span className={`severity ${alert.severity}`}>{alert.severity}</span>
        <span className="rule">{alert.rule}</span>
        {alert.subject && <span className="mono">{alert.subject}</span>}
        <span className="when">{alertTiming(alert, now)}</span>
      </div>
      <div>{alert.summary}</div>
      {alert.status !== 'resolved' && <div className="runbook">{alert.runbook}</div>}
    </li>
  );
}

function AlertList({ alerts, now }: { alerts: Alert[]; now: number }) {
  return (
    <ul className="alerts">
      {alerts.map((a) => (
        <AlertRow key={`${a.id}@${String(a.sinceMs)}`} alert={a} now={now} />
      ))}
    </ul>
  );
}

/** Firing alerts first, then pending ones, then the recently resolved. */
export function AlertsPage({ token, deployment }: { token: string; deployment: DeploymentState }) {
  const live = useLive();
  const now = useNow();
  const [error, setError] = useState<string | null>(null);
  const { firing, pending, resolved } = groupAlerts(live.alerts[deployment.name]);
  // the stream pushes every change; this load covers what happened before the page opened
  useEffect(() => {
    alertsState(token, deployment.name).then(
      (alerts) => {
        seedAlerts(deployment.name, alerts);
        setError(null);
      },
      (err: unknown) => setError(err instanceof Error ? err.message : String(err)),
    );
  }, [token, deployment.name]);

  return (
    <div style={{ display: 'grid', gap: 16 }}>
      {error && <p className="problems">{error}</p>}
      <section className="panel" data-testid="alerts-firing">
        <h2>Firing</h2>
        {firing.length === 0 ? (
          <p className="muted" style={{ margin: 0 }}>
            No alert is firing.
          </p>
        ) : (
          <AlertList alerts={firing} now={now} />
        )}
      </section>
      {pending.length > 0 && (
        <section className="panel" data-testid="alerts-pending">
          <h2>Pending</h2>
          <AlertList alerts={pending} now={now} />
        </section>
      )}
      <section className="panel" data-testid="alerts-resolved">
        <h2>Recently resolved</h2>
        {resolved.length === 0 ? (
          <p className="muted" style={{ margin: 0 }}>
            None since the dashboard started.
          </p>
        ) : (
          <AlertList alerts={resolved} now={now} />
        )}
      </section>
    </div>
  );
}

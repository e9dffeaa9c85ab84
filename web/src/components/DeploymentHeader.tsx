import type { DeploymentState, Session } from '../../../src/server/contract.js';
import { staleNote, unreachableNote } from '../freshness.js';
import { useConnection } from '../live.js';
import type { Route, View } from '../route.js';
import type { PendingAction } from './actions.js';
import { failoverAction, switchoverAction } from './actions.js';
import { ClusterSummary } from './ClusterSummary.js';
import { LinkStates } from './LinkStates.js';

/**
 * The top of a deployment's page: what keeps it from answering, the agreed master (a cluster:
 * its summary), health, links, Switchover and Failover, its problems, and the tabs.
 */
export function DeploymentHeader({
  session,
  deployment,
  cluster,
  view,
  running,
  navigate,
  onAction,
}: {
  session: Session;
  deployment: DeploymentState;
  cluster: boolean;
  view: View;
  /** A drill runs now. */
  running: boolean;
  navigate: (r: Route) => void;
  onAction: (action: PendingAction) => void;
}) {
  const connection = useConnection();
  const t = deployment.topology?.kind === 'sentinel' ? deployment.topology : null;
  const canAct = session.role === 'admin' && !session.readOnly;
  const failover = failoverAction(deployment);
  const switchover = switchoverAction(deployment);
  const stale = staleNote(deployment);
  const down = unreachableNote(
    deployment,
    connection.status === 'reconnecting' ? connection.error : null,
  );
  const severity = deployment.alertsSeverity;
  const tab = (v: View, label: React.ReactNode) => (
    <button
      role="tab"
      aria-selected={view === v}
      onClick={() => navigate({ deployment: deployment.name, node: null, view: v })}
    >
      {label}
    </button>
  );
  return (
    <>
      {down && (
        <div className="banner" data-testid="unreachable">
          {down}
        </div>
      )}
      {stale && <div className="banner">{stale}</div>}
      <div className="panel summary">
        {cluster ? (
          <ClusterSummary deployment={deployment} />
        ) : (
          <>
            <span>
              master{' '}
              <strong className="mono" data-testid="agreed-master">
                {t?.agreement.master ?? 'none agreed'}
              </strong>
            </span>
            <span className="muted">
              sentinels agreeing {t?.agreement.agreeing ?? 0}/{t?.agreement.total ?? 0}
            </span>
          </>
        )}
        <span className="pill" data-testid="health">
          <span className={`dot ${deployment.problems.length === 0 ? 'ok' : 'warn'}`} />
          {deployment.problems.length === 0
            ? 'healthy'
            : `${deployment.problems.length} problem${deployment.problems.length === 1 ? '' : 's'}`}
        </span>
        <LinkStates deployment={deployment} />
        <span style={{ flex: 1 }} />
        {!cluster && (
          <>
            <button
              className="primary"
              disabled={!canAct || !switchover.enabled}
              title={canAct ? switchover.why : 'needs the admin role'}
              onClick={() => onAction(switchover)}
            >
              Switchover
            </button>
            <button
              className="danger"
              disabled={!canAct || !failover.enabled}
              title={canAct ? failover.why : 'needs the admin role'}
              onClick={() => onAction(failover)}
            >
              Failover
            </button>
          </>
        )}
      </div>
      {deployment.problems.length > 0 && !deployment.unreachable && (
        <ul className="problems" style={{ marginBottom: 16 }}>
          {deployment.problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      <nav className="tabs" role="tablist">
        {tab('live', 'Live')}
        {tab('drills', `Drills${running ? ' · running' : ''}`)}
        {tab(
          'alerts',
          <>
            Alerts
            <span
              className={`badge${severity ? ` firing ${severity}` : ''}`}
              data-testid="alerts-badge"
              data-severity={severity ?? undefined}
              title={`${String(deployment.alertsFiring)} alert${deployment.alertsFiring === 1 ? '' : 's'} firing${severity ? `, the highest ${severity}` : ''}`}
            >
              {deployment.alertsFiring}
            </span>
          </>,
        )}
      </nav>
    </>
  );
}

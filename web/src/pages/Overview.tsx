import type { DeploymentState } from '../../../src/server/contract.js';
import type { View } from '../route.js';
import { routeHref } from '../route.js';
import { staleNote } from '../freshness.js';
import { agreedMaster, sentinelsOf } from '../../../src/model/topology.js';

/** A cluster's card: its state, shards, replicas and slot coverage. */
function ClusterFacts({ d }: { d: DeploymentState }) {
  const t = d.topology;
  if (t?.kind !== 'cluster') return null;
  const { cluster } = t;
  const shards = cluster.shards.filter((s) => s.slotCount > 0);
  const replicas = t.nodes.filter((n) => n.role === 'replica');
  const replicasUp = replicas.filter((n) => n.up && n.replication.linkUp).length;
  return (
    <dl className="kv">
      <dt>cluster state</dt>
      <dd>{cluster.state}</dd>
      <dt>masters with slots</dt>
      <dd>{shards.length}</dd>
      <dt>replicas up</dt>
      <dd>
        {replicasUp}/{replicas.length}
      </dd>
      <dt>slots covered</dt>
      <dd>{cluster.slotsCovered}/16384</dd>
    </dl>
  );
}

/**
 * One card per deployment: master, replicas up, sentinel agreement, quorum reachability (for a
 * cluster: its state, shards and slots), and a badge linking to its Alerts tab while alerts fire.
 */
export function Overview({
  deployments,
  open,
}: {
  deployments: DeploymentState[];
  open: (name: string, view?: View) => void;
}) {
  if (deployments.length === 0)
    return <p className="muted">No deployment yet; waiting for the first observation…</p>;
  return (
    <div className="cards">
      {deployments.map((d) => {
        const t = d.topology;
        const master = t ? agreedMaster(t) : null;
        const replicas = t?.nodes.filter((n) => n.addr !== master) ?? [];
        const replicasUp = replicas.filter(
          (n) => n.up && n.role === 'replica' && n.replication.linkUp,
        ).length;
        const ck = t ? sentinelsOf(t).some((s) => s.ckquorum?.ok) : false;
        const healthy = d.problems.length === 0;
        const stale = staleNote(d);
        return (
          // the badge is a link of its own: it sits beside the card's button, not inside it
          <div key={d.name} className="card-wrap">
            <button
              className="panel card"
              style={{ textAlign: 'left' }}
              onClick={() => open(d.name)}
              aria-label={`open ${d.name}`}
            >
              <h3>
                <span
                  className={`dot ${d.unreachable || stale ? 'bad' : healthy ? 'ok' : 'warn'}`}
                  title={stale ?? undefined}
                />{' '}
                {d.name}
              </h3>
              {t?.kind === 'cluster' ? (
                <ClusterFacts d={d} />
              ) : (
                <dl className="kv">
                  <dt>master</dt>
                  <dd className="mono">{t?.agreement.master ?? 'none agreed'}</dd>
                  <dt>replicas up</dt>
                  <dd>
                    {replicasUp}/{replicas.length}
                  </dd>
                  <dt>sentinels agreeing</dt>
                  <dd>
                    {t?.agreement.agreeing ?? 0}/{t?.agreement.total ?? 0}
                  </dd>
                  <dt>quorum reachable</dt>
                  <dd>{ck ? 'yes (CKQUORUM ok)' : 'no'}</dd>
                </dl>
              )}
              {d.unreachable && <p className="problems">unreachable: {d.unreachable}</p>}
              {!d.unreachable && d.problems.length > 0 && (
                <ul className="problems">
                  {d.problems.slice(0, 3).map((p) => (
                    <li key={p}>{p}</li>
                  ))}
                </ul>
              )}
            </button>
            {d.alertsFiring > 0 && (
              <a
                className={`badge firing ${d.alertsSeverity ?? ''} card-badge`}
                href={routeHref({ deployment: d.name, node: null, view: 'alerts' })}
                onClick={(e) => (e.preventDefault(), open(d.name, 'alerts'))}
              >
                {d.alertsFiring} alert{d.alertsFiring === 1 ? '' : 's'} firing
              </a>
            )}
          </div>
        );
      })}
    </div>
  );
}

import type { DeploymentState } from '../../../src/server/contract.js';

/** One card per deployment: master, replicas up, sentinel agreement, quorum reachability. */
export function Overview({
  deployments,
  open,
}: {
  deployments: DeploymentState[];
  open: (name: string) => void;
}) {
  if (deployments.length === 0)
    return <p className="muted">No deployment yet; waiting for the first observation…</p>;
  return (
    <div className="cards">
      {deployments.map((d) => {
        const t = d.topology;
        const replicas = t?.nodes.filter((n) => n.addr !== t.agreement.master) ?? [];
        const replicasUp = replicas.filter(
          (n) => n.up && n.role === 'replica' && n.replication.linkUp,
        ).length;
        const ck = t?.sentinels.some((s) => s.ckquorum?.ok) === true;
        const healthy = d.problems.length === 0;
        return (
          <button
            key={d.name}
            className="panel card"
            style={{ textAlign: 'left' }}
            onClick={() => open(d.name)}
            aria-label={`open ${d.name}`}
          >
            <h3>
              <span className={`dot ${d.unreachable ? 'bad' : healthy ? 'ok' : 'warn'}`} /> {d.name}
            </h3>
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
            {d.unreachable && <p className="problems">unreachable: {d.unreachable}</p>}
            {!d.unreachable && d.problems.length > 0 && (
              <ul className="problems">
                {d.problems.slice(0, 3).map((p) => (
                  <li key={p}>{p}</li>
                ))}
              </ul>
            )}
          </button>
        );
      })}
    </div>
  );
}

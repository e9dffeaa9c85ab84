import { useEffect, useState } from 'react';
import type { CertificateInfo, DataNode, SentinelView } from '../../../src/model/index.js';
import { formatBytes } from '../../../src/model/format.js';
import type { DeploymentState, NodeDetails, Session } from '../../../src/server/contract.js';
import { client } from '../api.js';
import { clusterNodeRows } from '../cluster-view.js';
import type { PendingAction } from './actions.js';
import { nodeActions } from './actions.js';
import { clusterFailoverAction } from './cluster-actions.js';
import { Drawer } from './Drawer.js';
import { dateTime } from '../time-format.js';
import { clusterOf, sentinelsOf } from '../../../src/model/topology.js';
import { shownRole } from '../../../src/model/queries.js';

function Kv({ rows }: { rows: [string, string | number | null | undefined][] }) {
  return (
    <dl className="kv">
      {rows.map(([k, v]) => (
        <div key={k} style={{ display: 'contents' }}>
          <dt>{k}</dt>
          <dd className="mono">{v === null || v === undefined || v === '' ? '-' : String(v)}</dd>
        </div>
      ))}
    </dl>
  );
}

/** `1.5 MiB of 100.0 MiB`, `1.5 MiB, no maxmemory`; nothing while it is unknown. */
function memoryText(n: DataNode): string | null {
  if (n.memoryUsedBytes === null) return null;
  const used = formatBytes(n.memoryUsedBytes);
  return n.memoryMaxBytes ? `${used} of ${formatBytes(n.memoryMaxBytes)}` : `${used}, no maxmemory`;
}

/** When the last RDB save ended and how it went: `2026-12-07 05:50:22 (ok)`. */
function lastSave(persistence: Record<string, string>): string | null {
  const at = Number(persistence.rdb_last_save_time);
  const status = persistence.rdb_last_bgsave_status;
  if (!Number.isFinite(at) || at <= 0) return status ?? null;
  return `${dateTime(at * 1000)}${status ? ` (${status})` : ''}`;
}

/** Why the actions are greyed out, in one sentence; null when they are not. */
function whyNoActions(session: Session): string | null {
  if (session.readOnly)
    return 'This dashboard runs with --read-only: it refuses every action, whoever asks.';
  if (session.role !== 'admin')
    return 'You are logged in with a viewer token: actions need the admin token that quorum up printed.';
  return null;
}

function dataRows(n: DataNode, role: string): [string, string | number | null][] {
  const r = n.replication;
  return [
    ['role', role],
    ['state', n.up ? 'up' : `down: ${n.downReason ?? ''}`],
    ['follows', r.masterAddr],
    ['link', r.linkUp === null ? null : r.linkUp ? 'up' : 'down'],
    ['offset', r.offset],
    ['lag', n.role === 'replica' ? `${formatBytes(r.lagBytes)} / ${r.lagSeconds ?? '-'} s` : null],
    ['replicas', r.connectedReplicas],
    ['memory', memoryText(n)],
    ['clients', n.connectedClients],
    ['ops/s', n.opsPerSec],
    ['uptime', n.uptimeSeconds === null ? null : `${n.uptimeSeconds} s`],
    ['version', n.version],
    [
      'sentinels',
      n.sdownBy.length > 0
        ? `${n.odown ? 'o_down, ' : ''}s_down by ${n.sdownBy.join(', ')}`
        : 'no flags',
    ],
  ];
}

function sentinelRows(s: SentinelView): [string, string | number | null][] {
  return [
    ['state', s.up ? 'up' : `down: ${s.downReason ?? ''}`],
    ['believes master', s.masterAddr],
    ['flags', s.masterFlags.join(',')],
    ['config epoch', s.configEpoch],
    ['knows sentinels', s.knownSentinels],
    ['knows replicas', s.knownReplicas],
    ['TILT', s.tilt === null ? null : s.tilt ? 'yes' : 'no'],
    ['CKQUORUM', s.ckquorum ? (s.ckquorum.ok ? 'ok' : s.ckquorum.message) : null],
  ];
}

/** When a certificate ends, and how far off that is. */
function certificateText(c: CertificateInfo, nowMs: number): string {
  const days = Math.floor((c.expiresAtMs - nowMs) / 86_400_000);
  const on = new Date(c.expiresAtMs).toISOString().slice(0, 10);
  return days < 0 ? `ENDED on ${on}` : `ends ${on} (${days} days${days < 30 ? ': renew it' : ''})`;
}

/** Details of one node, fetched when opened: overview, persistence, CONFIG, full INFO; and its actions. */
export function NodeDrawer({
  token,
  session,
  deployment,
  addr,
  onClose,
  onAction,
}: {
  token: string;
  session: Session;
  deployment: DeploymentState;
  addr: string;
  onClose: () => void;
  onAction: (action: PendingAction) => void;
}) {
  const [tab, setTab] = useState<'overview' | 'config' | 'info'>('overview');
  const [details, setDetails] = useState<NodeDetails | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [filter, setFilter] = useState('');
  const [sleepSeconds, setSleepSeconds] = useState(5);
  const node = deployment.topology?.nodes.find((n) => n.addr === addr);
  const sentinel = (deployment.topology ? sentinelsOf(deployment.topology) : []).find(
    (s) => s.addr === addr,
  );
  const processInfo = deployment.processes.find((p) => p.addr === addr);
  const certificate = deployment.topology?.certificates.find((c) => c.addr === addr);
  const up = node?.up ?? sentinel?.up ?? false;

  useEffect(() => {
    let cancelled = false;
    setDetails(null);
    setError(null);
    if (!up) return;
    void client(token)
      .deployments[':name'].nodes[':addr'].$get({ param: { name: deployment.name, addr } })
      .then(async (res) => {
        const body = await res.json();
        if (cancelled) return;
        if ('error' in body) setError(body.error);
        else setDetails(body);
      })
      .catch((err: unknown) => !cancelled && setError(String(err)));
    return () => {
      cancelled = true;
    };
  }, [token, deployment.name, addr, up]);

  const persistence = details?.info.persistence ?? {};
  const cluster = deployment.topology ? clusterOf(deployment.topology) : null;
  const clusterFailover = cluster ? clusterFailoverAction(deployment, addr) : null;
  const actions = [
    ...(clusterFailover ? [clusterFailover] : []),
    ...nodeActions(deployment, addr, node ? 'redis' : 'sentinel', processInfo?.state ?? null),
  ];
  const canAct = session.role === 'admin' && !session.readOnly;
  const role = node && deployment.topology ? shownRole(deployment.topology, node) : 'sentinel';
  const title = processInfo ? `${processInfo.name} (${addr})` : addr;
  const match = (k: string) => k.toLowerCase().includes(filter.toLowerCase());

  return (
    <Drawer
      label={`details of ${addr}`}
      testId="node-drawer"
      onClose={onClose}
      head={
        <>
          <strong className="drawer-title">{title}</strong>
          <span className="pill">{node ? role : 'sentinel'}</span>
          {processInfo && <span className="pill">process {processInfo.state}</span>}
        </>
      }
    >
      <h4>Actions</h4>
      {whyNoActions(session) && (
        <p className="muted small" data-testid="why-no-actions">
          {whyNoActions(session)}
        </p>
      )}
      <div className="actions">
        {actions.length === 0 && (
          <span className="muted">
            none for this deployment (it is not run by a local supervisor)
          </span>
        )}
        {actions.map((a) => (
          <button
            key={a.request.action}
            className={a.danger ? 'danger' : undefined}
            disabled={!canAct || !a.enabled}
            title={!canAct ? 'needs the admin role' : a.why}
            onClick={() =>
              onAction(
                a.request.action === 'debug-sleep'
                  ? {
                      ...a,
                      request: { ...a.request, seconds: sleepSeconds },
                      body: a.body.replace(/\d+ s/, `${sleepSeconds} s`),
                    }
                  : a,
              )
            }
          >
            {a.label}
          </button>
        ))}
        {actions.some((a) => a.request.action === 'debug-sleep') && (
          <label className="muted">
            {' '}
            sleep{' '}
            <input
              type="number"
              min={1}
              max={600}
              value={sleepSeconds}
              style={{ width: 64 }}
              onChange={(e) => setSleepSeconds(Math.max(1, Number(e.target.value) || 1))}
            />{' '}
            s
          </label>
        )}
      </div>
      <div className="tabs" role="tablist">
        {(['overview', 'config', 'info'] as const).map((t) => (
          <button
            key={t}
            role="tab"
            aria-selected={tab === t}
            className={tab === t ? 'active' : undefined}
            onClick={() => setTab(t)}
          >
            {t === 'info' ? 'INFO' : t === 'config' ? 'CONFIG' : 'overview'}
          </button>
        ))}
      </div>
      {error && <p className="problems">{error}</p>}
      {!up && <p className="muted">The node is down; only what quorum last saw is shown.</p>}
      {tab === 'overview' && (
        <>
          {node && (
            <Kv
              rows={
                cluster
                  ? [
                      ...dataRows(node, role).filter(([k]) => k !== 'sentinels'),
                      ...clusterNodeRows(cluster, addr),
                    ]
                  : dataRows(node, role)
              }
            />
          )}
          {sentinel && <Kv rows={sentinelRows(sentinel)} />}
          {certificate && (
            <Kv rows={[['TLS certificate', certificateText(certificate, Date.now())]]} />
          )}
          {node && details && (
            <>
              <h4>Persistence</h4>
              <Kv
                rows={[
                  ['RDB last save', lastSave(persistence)],
                  ['changes since save', persistence.rdb_changes_since_last_save],
                  ['AOF', persistence.aof_enabled === '1' ? 'on' : 'off'],
                  ['loading', persistence.loading === '1' ? 'yes' : 'no'],
                  ['save', details.config.save],
                  ['appendfsync', details.config.appendfsync],
                ]}
              />
            </>
          )}
        </>
      )}
      {tab !== 'overview' && (
        <input
          placeholder="filter"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          aria-label="filter keys"
          style={{ width: '100%', marginBottom: 8 }}
        />
      )}
      {tab === 'config' &&
        (details ? (
          <Kv rows={Object.entries(details.config).filter(([k]) => match(k))} />
        ) : (
          <p className="muted">{node ? 'loading…' : 'sentinels have no CONFIG'}</p>
        ))}
      {tab === 'info' &&
        (details ? (
          Object.entries(details.info)
            .filter(([, fields]) => Object.keys(fields).length > 0)
            .map(([section, fields]) => (
              <div key={section}>
                <h4>{section}</h4>
                <Kv rows={Object.entries(fields).filter(([k]) => match(k))} />
              </div>
            ))
        ) : (
          <p className="muted">loading…</p>
        ))}
    </Drawer>
  );
}

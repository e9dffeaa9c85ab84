import { formatBytes } from '../../../src/model/format.js';
import type { DeploymentState } from '../../../src/server/contract.js';
import type { ShardMember, ShardRow } from '../cluster-view.js';
import { shardColor } from '../slotmap.js';
import type { PendingAction } from './actions.js';
import { clusterFailoverAction } from './cluster-actions.js';

function Member({ m, onSelect }: { m: ShardMember; onSelect: (addr: string) => void }) {
  const text = m.name ?? m.addr ?? m.id.slice(0, 8);
  const flags = [m.failed ? 'failing' : null, m.addr !== null && !m.up ? 'down' : null].filter(
    Boolean,
  );
  return (
    <span className={flags.length > 0 ? 'member bad' : 'member'}>
      {m.addr ? (
        <button className="link" title={m.addr} onClick={() => m.addr && onSelect(m.addr)}>
          {text}
        </button>
      ) : (
        text
      )}
      {flags.length > 0 && ` (${flags.join(', ')})`}
    </span>
  );
}

/** The shards: master, replicas (each with its Failover), slots, ranges, keys and memory. */
export function ShardList({
  deployment,
  rows,
  canAct,
  onSelect,
  onAction,
}: {
  deployment: DeploymentState;
  rows: ShardRow[];
  canAct: boolean;
  onSelect: (addr: string) => void;
  onAction: (action: PendingAction) => void;
}) {
  return (
    <div className="scroll-x">
      <table className="matrix shards" data-testid="shards">
        <thead>
          <tr>
            <th>master</th>
            <th>replicas</th>
            <th className="num">slots</th>
            <th>ranges</th>
            <th className="num">keys</th>
            <th className="num">memory</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr
              key={row.master.id}
              data-testid="shard"
              data-master={row.master.addr ?? row.master.id}
              data-slots={row.slotCount}
            >
              <td>
                <span
                  className="swatch"
                  style={{ background: row.slotCount > 0 ? shardColor(row.key ?? undefined) : '' }}
                />
                <Member m={row.master} onSelect={onSelect} />
              </td>
              <td>
                {row.replicas.length === 0 && <span className="muted">none</span>}
                {row.replicas.map((r) => {
                  const failover = r.addr ? clusterFailoverAction(deployment, r.addr) : null;
                  return (
                    <span key={r.id} className="replica">
                      <Member m={r} onSelect={onSelect} />
                      {failover && (
                        <button
                          className="danger small"
                          disabled={!canAct || !failover.enabled}
                          title={canAct ? failover.why : 'needs the admin role'}
                          aria-label={`fail over to ${r.name ?? r.addr ?? r.id}`}
                          onClick={() => onAction(failover)}
                        >
                          Failover
                        </button>
                      )}
                    </span>
                  );
                })}
              </td>
              <td className="num">{row.slotCount}</td>
              <td className="mono">{row.ranges}</td>
              <td className="num">{row.keys ?? '-'}</td>
              <td className="num">{formatBytes(row.memoryBytes)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

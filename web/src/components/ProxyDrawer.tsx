import type { ProxyStats } from '../../../src/server/contract.js';
import { formatBytes } from '../../../src/model/format.js';
import { dateTime } from '../time-format.js';
import { Drawer } from './Drawer.js';

/** What the proxy's master tracker is doing, for a person. */
const TRACKER: Record<NonNullable<ProxyStats['tracker']>, string> = {
  following: 'following the master a quorum of sentinels agree on',
  confirming: 'confirming a new master with ROLE before sending writes to it',
  'own-word': 'no sentinel answers: keeping the last agreed master while it says role:master',
  'no-master': 'no master known: write clients are held, then closed',
  stopped: 'stopped',
};

function Rows({ rows }: { rows: [string, string][] }) {
  return (
    <dl className="kv">
      {rows.map(([k, v]) => (
        <div key={k} style={{ display: 'contents' }}>
          <dt>{k}</dt>
          <dd className="mono">{v}</dd>
        </div>
      ))}
    </dl>
  );
}

/** The proxy's drawer: where each port sends clients, its sessions, the last master switch, its relay. */
export function ProxyDrawer({
  proxy,
  names,
  onClose,
}: {
  proxy: ProxyStats | null;
  /** Process names by address. */
  names: Record<string, string>;
  onClose: () => void;
}) {
  const name = (addr: string | null) =>
    addr === null ? 'none' : names[addr] ? `${names[addr]} (${addr})` : addr;
  const last = proxy?.lastSwitch ?? null;
  return (
    <Drawer
      label="details of the proxy"
      testId="proxy-drawer"
      onClose={onClose}
      head={<strong className="drawer-title">proxy</strong>}
    >
      {!proxy ? (
        <p className="muted">This deployment runs no proxy (quorum up --no-proxy).</p>
      ) : (
        <>
          <h4>Write port</h4>
          <Rows
            rows={[
              ['port', proxy.write.addr],
              [
                'sends clients to',
                proxy.write.master ? name(proxy.write.master) : 'no master: clients held',
              ],
              ['sessions now', String(proxy.write.sessions)],
              ['sessions in all', String(proxy.write.total)],
              ['held, waiting for a master', String(proxy.write.held)],
            ]}
          />
          <h4>Read port</h4>
          <Rows
            rows={[
              ['port', proxy.read.addr],
              [
                'sends clients to',
                proxy.read.replicas.length > 0
                  ? proxy.read.replicas.map(name).join(', ')
                  : `no healthy replica (fallback: ${proxy.read.fallback})`,
              ],
              ['sessions now', String(proxy.read.sessions)],
              ['sessions in all', String(proxy.read.total)],
            ]}
          />
          <h4>Master switches</h4>
          <Rows
            rows={[
              ['tracker', proxy.tracker ? TRACKER[proxy.tracker] : 'unknown'],
              [
                'last switch',
                last
                  ? `${dateTime(last.atMs)}: ${name(last.from)} → ${name(last.to)}${last.tookMs !== null ? `, ${String(last.tookMs)} ms after +switch-master` : ''}`
                  : 'none since the proxy started',
              ],
              ['sentinels', proxy.sentinelsUnreachable ? 'NONE ANSWERS' : 'answering'],
            ]}
          />
          <h4>Traffic</h4>
          <Rows
            rows={[
              ['bytes in / out', `${formatBytes(proxy.bytesIn)} / ${formatBytes(proxy.bytesOut)}`],
              ['refused connections', String(proxy.refused)],
              [
                'relay',
                proxy.relay.kind === 'native'
                  ? `native, ${String(proxy.relay.threads)} thread${proxy.relay.threads === 1 ? '' : 's'}`
                  : 'JavaScript (Node event loop)',
              ],
              ['started', dateTime(proxy.startedAtMs)],
            ]}
          />
          {proxy.backends.length > 0 && (
            <>
              <h4>Sessions by node</h4>
              <Rows
                rows={proxy.backends.map((b) => [
                  `${b.side} → ${name(b.addr)}`,
                  String(b.sessions),
                ])}
              />
            </>
          )}
        </>
      )}
    </Drawer>
  );
}

import type { ClusterTopology, LinkReport, QuorumEvent, Topology } from '../model/index.js';
import {
  agreedMaster,
  clock,
  describeLink,
  formatBytes,
  isoDate,
  linkNeedsAttention,
  sentinelsOf,
  shownRole,
  SLOT_COUNT,
} from '../model/index.js';
import type { ProcessInfo } from '../local/index.js';
import type { ProxyStats } from '../proxy/index.js';
import { formatShards } from './cluster-format.js';
import { table } from './table.js';

export { table };

function dash(value: string | number | null | undefined): string {
  return value === null || value === undefined || value === '' ? '-' : String(value);
}

/**
 * One line per event: time, type, message, and who reported it. The log outlives restarts, so an
 * event of another day than `nowMs` carries its date.
 */
export function formatEvent(event: QuorumEvent, nowMs = Date.now()): string {
  const sentinels = event.reports.filter((r) => r.by !== 'quorum').length;
  const by =
    event.source === 'sentinel' ? `  (${sentinels} sentinel${sentinels === 1 ? '' : 's'})` : '';
  const when =
    isoDate(event.ms) === isoDate(nowMs)
      ? clock(event.ms)
      : `${isoDate(event.ms)} ${clock(event.ms)}`;
  return `${when}  ${event.type.padEnd(26)} ${event.message}${by}`;
}

/** The human view of one deployment: a headline, the data nodes, the sentinels. */
export function formatTopology(
  t: Topology,
  problems: string[],
  processes: ProcessInfo[] = [],
): string {
  const nameOf = new Map(processes.map((p) => [p.addr, p]));
  if (t.kind === 'cluster') return formatCluster(t, problems, processes);
  const { agreement } = t;
  const headline = [
    `${t.name} (${t.kind})`,
    `master ${agreement.master ?? 'none agreed'}`,
    `sentinels agreeing ${agreement.agreeing}/${agreement.total}`,
    problems.length === 0
      ? 'healthy'
      : `${problems.length} problem${problems.length === 1 ? '' : 's'}`,
  ].join('   ');
  const withNames = processes.length > 0;
  const nodeRows = t.nodes.map((n) => {
    const r = n.replication;
    const lag = n.role === 'replica' ? `${formatBytes(r.lagBytes)} / ${dash(r.lagSeconds)} s` : '-';
    const role = shownRole(t, n);
    const state = n.up ? 'up' : nameOf.get(n.addr)?.state === 'stopped' ? 'stopped' : 'down';
    const row = [
      n.addr,
      role,
      state,
      n.role === 'replica' ? (r.linkUp ? 'up' : 'down') : '-',
      dash(r.offset),
      lag,
      formatBytes(n.memoryUsedBytes),
      dash(n.connectedClients),
      dash(n.opsPerSec),
      n.sdownBy.length > 0 ? `${n.odown ? 'o_down ' : ''}s_down by ${n.sdownBy.length}` : '-',
    ];
    return withNames ? [nameOf.get(n.addr)?.name ?? '-', ...row] : row;
  });
  const nodeHeaders = [
    'ADDR',
    'ROLE',
    'STATE',
    'LINK',
    'OFFSET',
    'LAG',
    'MEMORY',
    'CLIENTS',
    'OPS/S',
    'SENTINEL FLAGS',
  ];
  const sentinelRows = t.sentinels.map((s) => {
    const row = [
      s.addr,
      s.up ? 'up' : 'down',
      dash(s.masterAddr),
      s.masterFlags.join(',') || '-',
      dash(s.quorum),
      dash(s.knownSentinels),
      dash(s.knownReplicas),
      dash(s.configEpoch),
      s.tilt === null ? '-' : s.tilt ? 'TILT' : 'no',
      s.ckquorum === null ? '-' : s.ckquorum.ok ? 'ok' : 'FAIL',
    ];
    return withNames ? [nameOf.get(s.addr)?.name ?? '-', ...row] : row;
  });
  const sentinelHeaders = [
    'ADDR',
    'STATE',
    'BELIEVES MASTER',
    'FLAGS',
    'QUORUM',
    'PEERS',
    'REPLICAS',
    'EPOCH',
    'TILT',
    'CKQUORUM',
  ];
  const lines = [
    headline,
    '',
    table(withNames ? ['NAME', ...nodeHeaders] : nodeHeaders, nodeRows),
    '',
    table(withNames ? ['NAME', ...sentinelHeaders] : sentinelHeaders, sentinelRows),
  ];
  // a down process a problem already names is said once, as the problem
  const downs = [...t.nodes, ...t.sentinels].filter(
    (x) => !x.up && x.downReason && !problems.some((p) => p.includes(x.downReason ?? '')),
  );
  if (downs.length > 0) lines.push('', ...downs.map((x) => `down: ${x.downReason ?? ''}`));
  if (problems.length > 0) lines.push('', ...problems.map((p) => `problem: ${p}`));
  return lines.join('\n');
}

/** A cluster: a headline, the nodes with the flags the cluster sets on them, the shards. */
function formatCluster(t: ClusterTopology, problems: string[], processes: ProcessInfo[]): string {
  const nameOf = new Map(processes.map((p) => [p.addr, p]));
  const c = t.cluster;
  const withSlots = c.shards.filter((s) => s.slotCount > 0).length;
  const headline = [
    `${t.name} (cluster)`,
    `state ${c.state}`,
    `masters with slots ${withSlots}`,
    `slots covered ${c.slotsCovered}/${SLOT_COUNT}`,
    problems.length === 0
      ? 'healthy'
      : `${problems.length} problem${problems.length === 1 ? '' : 's'}`,
  ].join('   ');
  const reference = c.views.find((v) => v.addr === c.reference);
  const flagsOf = (addr: string) =>
    reference?.entries
      .find((e) => e.addr === addr)
      ?.flags.filter((f) => f !== 'myself' && f !== 'master' && f !== 'slave')
      .join(',') ?? '';
  const withNames = processes.length > 0;
  const nodeRows = t.nodes.map((n) => {
    const r = n.replication;
    const state = n.up ? 'up' : nameOf.get(n.addr)?.state === 'stopped' ? 'stopped' : 'down';
    const row = [
      n.addr,
      shownRole(t, n),
      state,
      n.role === 'replica' ? `${r.linkUp ? 'up' : 'down'} to ${dash(r.masterAddr)}` : '-',
      dash(r.offset),
      n.role === 'replica' ? formatBytes(r.lagBytes) : '-',
      formatBytes(n.memoryUsedBytes),
      dash(n.stats.keyspace.db0?.keys),
      dash(n.opsPerSec),
      dash(flagsOf(n.addr)),
    ];
    return withNames ? [nameOf.get(n.addr)?.name ?? '-', ...row] : row;
  });
  const nodeHeaders = [
    'ADDR',
    'ROLE',
    'STATE',
    'LINK',
    'OFFSET',
    'LAG',
    'MEMORY',
    'KEYS',
    'OPS/S',
    'CLUSTER FLAGS',
  ];
  const lines = [
    headline,
    '',
    table(withNames ? ['NAME', ...nodeHeaders] : nodeHeaders, nodeRows),
    '',
    formatShards(c.shards),
  ];
  const downs = t.nodes.filter((x) => !x.up && x.downReason);
  if (downs.length > 0) lines.push('', ...downs.map((x) => `down: ${x.downReason ?? ''}`));
  if (problems.length > 0) lines.push('', ...problems.map((p) => `problem: ${p}`));
  return lines.join('\n');
}

/** The JSON shape of `status --json` (documented in the README); extra fields are welcome, these stay. */
export function topologyJson(t: Topology, problems: string[], processes: ProcessInfo[] = []) {
  const byAddr = new Map(processes.map((p) => [p.addr, p]));
  const proc = (addr: string) => {
    const p = byAddr.get(addr);
    return p ? { name: p.name, pid: p.pid, process: p.state } : {};
  };
  return {
    name: t.name,
    kind: t.kind,
    ...(t.kind === 'sentinel' ? { masterName: t.masterName, agreement: t.agreement } : {}),
    master: agreedMaster(t),
    healthy: problems.length === 0,
    problems,
    observedAt: new Date(t.observedAtMs).toISOString(),
    nodes: t.nodes.map((n) => ({ ...proc(n.addr), ...n })),
    sentinels: sentinelsOf(t).map((s) => ({ ...proc(s.addr), ...s })),
    ...(t.kind === 'cluster'
      ? {
          cluster: {
            state: t.cluster.state,
            slotsCovered: t.cluster.slotsCovered,
            shards: t.cluster.shards,
            moves: t.cluster.moves,
            disagreements: t.cluster.disagreements,
            views: t.cluster.views.map(({ entries, ...view }) => ({ ...view, nodes: entries })),
          },
        }
      : {}),
  };
}

/** One line for the proxy: where each port sends clients now, and its last switch. */
export function formatProxy(p: ProxyStats): string {
  const last = p.lastSwitch;
  const switched =
    last && last.from !== null && last.to !== null
      ? `; last switch ${clock(last.atMs)} to ${last.to}${last.tookMs !== null ? ` (${String(last.tookMs)} ms after +switch-master)` : ''}`
      : '';
  const unreachable = p.sentinelsUnreachable
    ? '; NO SENTINEL ANSWERS: keeping the last agreed master while it says role:master'
    : '';
  return (
    `proxy: write ${p.write.addr} -> ${p.write.master ?? 'no master (clients held)'} (${p.tracker !== undefined ? `${p.tracker}, ` : ''}${String(p.write.sessions)} clients)` +
    `   read ${p.read.addr} -> ${p.read.replicas.length > 0 ? p.read.replicas.join(', ') : `no healthy replica (fallback: ${p.read.fallback})`} (${String(p.read.sessions)} clients)` +
    switched +
    unreachable +
    (p.relay.kind === 'native'
      ? `; relay: native, ${String(p.relay.threads)} thread${p.relay.threads === 1 ? '' : 's'}`
      : '; relay: JavaScript')
  );
}

/** The observer's links that lost their connection or failed, one line each; empty if none. */
export function formatLinks(links: LinkReport[], nowMs: number): string {
  const broken = links.filter(linkNeedsAttention);
  if (broken.length === 0) return '';
  return ['links not ready:', ...broken.map((l) => `  ${describeLink(l, nowMs)}`)].join('\n');
}

/** `status --json`'s `links`: each link with `since` as an ISO time, like `observedAt`. */
export function linksJson(links: LinkReport[]) {
  return links.map(({ sinceMs, ...link }) => ({
    ...link,
    since: new Date(sinceMs).toISOString(),
  }));
}

export { formatBytes };

import type { Alert } from '../alerts/index.js';
import type { DrillListing } from '../drill/index.js';
import type { ClusterState, LastFailover, SentinelTopology, Topology } from '../model/index.js';
import { assertNever } from '../model/index.js';
import type { ObserverStats } from '../observer/index.js';
import type { ProxyStats } from '../proxy/index.js';
import type { NetworkFault } from '../faults/index.js';
import { Exposition } from './exposition.js';
import { declareFamilies } from './families.js';

/** Everything /metrics shows of one deployment: all of it already observed, nothing asked anew. */
export interface DeploymentMetrics {
  name: string;
  topology: Topology | null;
  observer: ObserverStats;
  masterChanges: number;
  lastFailover: LastFailover | null;
  proxy: ProxyStats | null;
  drill: { running: boolean; last: DrillListing | null } | null;
  alerts: Alert[];
  /** The lab's active network faults; null when it is no lab. */
  network: NetworkFault[] | null;
}

const seconds = (ms: number | null): number | null => (ms === null ? null : ms / 1000);

function topologyMetrics(out: Exposition, deployment: string, t: Topology): void {
  for (const c of t.certificates)
    out.add(
      'quorum_tls_cert_expiry_timestamp_seconds',
      { deployment, addr: c.addr, process: c.process },
      c.expiresAtMs / 1000,
    );
  for (const n of t.nodes) {
    const l = { deployment, addr: n.addr, role: n.role };
    out.add('redis_up', l, n.up);
    if (!n.up) continue;
    out.add(
      'redis_instance_info',
      {
        ...l,
        redis_version: n.version ?? '',
        redis_mode: n.stats.mode ?? '',
        run_id: n.runId ?? '',
      },
      1,
    );
    out.add('redis_uptime_in_seconds', l, n.uptimeSeconds);
    out.add('redis_connected_clients', l, n.connectedClients);
    out.add('redis_blocked_clients', l, n.stats.blockedClients);
    out.add('redis_connections_received_total', l, n.stats.connectionsReceived);
    out.add('redis_rejected_connections_total', l, n.stats.rejectedConnections);
    out.add('redis_memory_used_bytes', l, n.memoryUsedBytes);
    out.add('redis_memory_max_bytes', l, n.memoryMaxBytes);
    out.add('redis_connected_slaves', l, n.replication.connectedReplicas);
    if (n.role === 'replica') {
      out.add('redis_slave_repl_offset', l, n.replication.offset);
      out.add('redis_master_link_up', l, n.replication.linkUp);
      out.add('redis_master_sync_in_progress', l, n.replication.syncInProgress);
      out.add('quorum_replication_lag_bytes', l, n.replication.lagBytes);
      out.add('quorum_replication_lag_seconds', l, n.replication.lagSeconds);
    } else {
      out.add('redis_master_repl_offset', l, n.replication.offset);
    }
    out.add('redis_commands_processed_total', l, n.stats.commandsProcessed);
    out.add('redis_keyspace_hits_total', l, n.stats.keyspaceHits);
    out.add('redis_keyspace_misses_total', l, n.stats.keyspaceMisses);
    out.add('redis_expired_keys_total', l, n.stats.expiredKeys);
    out.add('redis_evicted_keys_total', l, n.stats.evictedKeys);
    for (const [db, { keys, expires }] of Object.entries(n.stats.keyspace)) {
      out.add('redis_db_keys', { ...l, db }, keys);
      out.add('redis_db_keys_expiring', { ...l, db }, expires);
    }
    out.add('redis_loading_dump_file', l, n.loading);
    out.add('quorum_node_sdown_sentinels', l, n.sdownBy.length);
  }
  switch (t.kind) {
    case 'sentinel':
      sentinelMetrics(out, deployment, t);
      break;
    case 'cluster':
      clusterMetrics(out, deployment, t.cluster);
      break;
    default:
      assertNever(t);
  }
  out.add(
    'quorum_masters_reporting',
    { deployment },
    t.nodes.filter((n) => n.up && n.role === 'master').length,
  );
}

function sentinelMetrics(out: Exposition, deployment: string, t: SentinelTopology): void {
  for (const s of t.sentinels) {
    out.add('redis_up', { deployment, addr: s.addr, role: 'sentinel' }, s.up);
    if (!s.up) continue;
    const l = { deployment, addr: s.addr, master_name: t.masterName };
    out.add('redis_sentinel_tilt', l, s.tilt);
    out.add(
      'redis_sentinel_master_ok_sentinels',
      l,
      s.knownSentinels === null ? null : s.knownSentinels + 1,
    );
    out.add('redis_sentinel_master_slaves', l, s.knownReplicas);
    out.add('redis_sentinel_master_ok_slaves', l, s.okReplicas);
    out.add('redis_sentinel_master_ckquorum_status', l, s.ckquorum === null ? null : s.ckquorum.ok);
    if (s.masterAddr !== null)
      out.add('quorum_sentinel_master_info', { ...l, master: s.masterAddr }, 1);
    out.add('quorum_sentinel_master_sdown', l, s.masterFlags.includes('s_down'));
    out.add('quorum_sentinel_master_odown', l, s.masterFlags.includes('o_down'));
    out.add('quorum_sentinel_quorum', l, s.quorum);
    out.add('quorum_sentinel_down_after_seconds', l, seconds(s.downAfterMs));
    out.add('quorum_sentinel_config_epoch', l, s.configEpoch);
  }
  const d = { deployment };
  const { agreement } = t;
  if (agreement.total > 0) {
    out.add('quorum_sentinel_agreement', d, agreement.agreeing / agreement.total);
    out.add('quorum_sentinels_agreeing', d, agreement.agreeing);
    out.add('quorum_sentinels_known', d, agreement.total);
    out.add('quorum_sentinels_up', d, t.sentinels.filter((s) => s.up).length);
    out.add('quorum_master_agreed', d, agreement.master !== null);
  }
  if (agreement.master !== null) out.add('quorum_master_info', { ...d, addr: agreement.master }, 1);
}

function clusterMetrics(out: Exposition, deployment: string, c: ClusterState): void {
  for (const v of c.views) {
    if (!v.up) continue;
    const l = { deployment, addr: v.addr };
    out.add('redis_cluster_state', l, v.state === null ? null : v.state === 'ok');
    out.add('redis_cluster_slots_assigned', l, v.slotsAssigned);
    out.add('redis_cluster_slots_ok', l, v.slotsOk);
    out.add('redis_cluster_slots_pfail', l, v.slotsPfail);
    out.add('redis_cluster_slots_fail', l, v.slotsFail);
    out.add('redis_cluster_known_nodes', l, v.knownNodes);
    out.add('redis_cluster_current_epoch', l, v.currentEpoch);
  }
  const d = { deployment };
  out.add('quorum_cluster_slots_covered', d, c.slotsCovered);
  out.add('quorum_cluster_shards', d, c.shards.filter((s) => s.slotCount > 0).length);
  out.add('quorum_cluster_open_slots', d, c.moves.length);
  out.add('quorum_cluster_nodes_disagreeing', d, c.disagreements.length);
}

function proxyMetrics(out: Exposition, deployment: string, p: ProxyStats): void {
  const d = { deployment };
  for (const side of ['write', 'read'] as const) {
    const l = { deployment, side, listen: p[side].addr };
    out.add('quorum_proxy_connections', l, p[side].sessions);
    out.add('quorum_proxy_connections_total', l, p[side].total);
  }
  out.add('quorum_proxy_held_connections', d, p.write.held);
  out.add('quorum_proxy_refused_total', d, p.refused);
  out.add('quorum_proxy_bytes_total', { deployment, direction: 'in' }, p.bytesIn);
  out.add('quorum_proxy_bytes_total', { deployment, direction: 'out' }, p.bytesOut);
  for (const b of p.backends)
    out.add(
      'quorum_proxy_backend_connections',
      { deployment, side: b.side, backend: b.addr },
      b.sessions,
    );
  if (p.write.master !== null)
    out.add('quorum_proxy_write_master_info', { ...d, master: p.write.master }, 1);
  out.add('quorum_proxy_read_replicas', d, p.read.replicas.length);
  out.add('quorum_proxy_sentinels_unreachable', d, p.sentinelsUnreachable);
  if (p.lastSwitch) {
    out.add('quorum_proxy_last_switch_seconds', d, seconds(p.lastSwitch.tookMs));
    out.add('quorum_proxy_last_switch_timestamp_seconds', d, p.lastSwitch.atMs / 1000);
  }
}

/**
 * The observer's own figures. Data older than `staleAfterMs` (no poll finished for three
 * intervals) is stale: true is returned and the per-node and per-sentinel samples are left out,
 * so Prometheus marks them stale instead of reading an old `redis_up 1` as current.
 */
function observerMetrics(out: Exposition, m: DeploymentMetrics, nowMs: number): boolean {
  const d = { deployment: m.name };
  const o = m.observer;
  out.add('quorum_observer_polls_total', d, o.polls);
  out.add('quorum_observer_poll_duration_seconds', d, seconds(o.lastPollMs));
  out.add('quorum_observer_failed_reads_total', d, o.failedReads);
  out.add('quorum_observer_poll_failures_total', d, o.failedPolls);
  out.add('quorum_observer_poll_failing', d, o.failing !== null);
  if (!m.topology) {
    out.add('quorum_observer_stale', d, true);
    return true;
  }
  const ageMs = Math.max(0, nowMs - m.topology.observedAtMs);
  const stale = ageMs > o.staleAfterMs;
  out.add('quorum_observer_last_poll_timestamp_seconds', d, m.topology.observedAtMs / 1000);
  out.add('quorum_observer_data_age_seconds', d, ageMs / 1000);
  out.add('quorum_observer_stale', d, stale);
  return stale;
}

/** /metrics in Prometheus text format for every deployment the server shows, at `nowMs` (pure). */
export function renderMetrics(deployments: readonly DeploymentMetrics[], nowMs: number): string {
  const out = new Exposition();
  declareFamilies(out);
  for (const m of deployments) {
    const d = { deployment: m.name };
    const stale = observerMetrics(out, m, nowMs);
    if (m.topology && !stale) topologyMetrics(out, m.name, m.topology);
    out.add('quorum_master_changes_total', d, m.masterChanges);
    if (m.lastFailover) {
      out.add('quorum_last_failover_seconds', d, seconds(m.lastFailover.durationMs));
      out.add('quorum_last_failover_timestamp_seconds', d, m.lastFailover.atMs / 1000);
      if (m.lastFailover.detectionMs !== null)
        out.add('quorum_last_failover_detection_seconds', d, m.lastFailover.detectionMs / 1000);
    }
    if (m.proxy) proxyMetrics(out, m.name, m.proxy);
    if (m.drill) {
      out.add('quorum_drill_running', d, m.drill.running);
      const last = m.drill.last;
      if (last) {
        out.add('quorum_drill_last_timestamp_seconds', d, last.startedAtMs / 1000);
        out.add('quorum_drill_last_acked_lost', d, last.ackedLostMax);
        out.add(
          'quorum_drill_last_write_unavailable_seconds',
          d,
          seconds(last.writeUnavailableP50Ms),
        );
        out.add('quorum_drill_last_switch_master_seconds', d, seconds(last.switchMasterP50Ms));
        out.add('quorum_drill_last_violations', d, last.violations);
      }
    }
    if (m.network) {
      for (const kind of [
        'partition',
        'one-way',
        'isolate',
        'loss',
        'bandwidth',
        'latency',
      ] as const)
        out.add(
          'quorum_network_faults_active',
          { deployment: m.name, kind },
          m.network.filter((f) => f.kind === kind).length,
        );
    }
    for (const a of m.alerts) {
      if (a.status !== 'firing') continue;
      out.add(
        'quorum_alert_firing',
        { deployment: m.name, alertname: a.rule, severity: a.severity, subject: a.subject ?? '' },
        1,
      );
    }
  }
  return out.render();
}

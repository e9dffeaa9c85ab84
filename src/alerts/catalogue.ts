import type { DataNode, LastFailover, Topology } from '../model/index.js';
import { agreedMaster, formatSeconds } from '../model/index.js';
import { CLUSTER_RULES } from './cluster-rules.js';
import type { AlertRule } from './rule.js';

/** Minutes a failover alert stays firing after the master moved. */
export const FAILOVER_ALERT_MS = 10 * 60_000;
const FAILOVER_WINDOW = `${String(FAILOVER_ALERT_MS / 60_000)} minutes`;

/** Default bound for RedisReplicationLagHigh: 10 MiB. */
export const DEFAULT_LAG_BYTES = 10 * 1024 * 1024;

/** Default bound for RedisMemoryHigh: 90 % of maxmemory. */
export const DEFAULT_MEMORY_RATIO = 0.9;

/** RedisTlsCertExpiring fires for a certificate that ends within 30 days. */
const CERT_WARN_MS = 30 * 86_400_000;

/** Minutes a rise of rejected connections keeps its alert firing (as `increase(...[5m])`). */
const REJECTED_WINDOW_MS = 5 * 60_000;

const dataNodes = (t: Topology, test: (n: DataNode) => boolean, say: (n: DataNode) => string) =>
  t.nodes.filter(test).map((n) => ({ subject: n.addr, summary: say(n) }));

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** "; the outage lasted 7.23 s (detected after 5.01 s)" for a failover within the window. */
function outage(f: LastFailover | null, nowMs: number): string {
  if (f === null || f.durationMs === null || nowMs - f.atMs >= FAILOVER_ALERT_MS) return '';
  return `; the outage lasted ${formatSeconds(f.durationMs)}${f.detectionMs === null ? '' : ` (detected after ${formatSeconds(f.detectionMs)})`}`;
}

export const ALERT_RULES: readonly AlertRule[] = [
  {
    name: 'RedisNodeDown',
    scope: 'any',
    severity: 'critical',
    forMs: 30_000,
    expr: 'redis_up{role!="sentinel"} == 0',
    summary: 'Redis {{ $labels.addr }} in {{ $labels.deployment }} does not answer',
    runbook:
      'Check the process and its log on that host; a master down this long should already be failed over (see RedisNoMaster).',
    evaluate: (t) =>
      dataNodes(
        t,
        (n) => !n.up,
        (n) => `${n.addr} does not answer: ${n.downReason ?? 'no reply'}`,
      ),
  },
  {
    name: 'RedisNoMaster',
    scope: 'sentinel',
    severity: 'critical',
    forMs: 15_000,
    expr: '(count by (deployment) (redis_up{role!="sentinel"}) unless count by (deployment) (redis_instance_info{role="master"})) or max by (deployment) (quorum_master_agreed) == 0',
    summary:
      '{{ $labels.deployment }} has no master that answers and that a quorum of sentinels agree on',
    runbook:
      'Writes fail now. Look at the sentinels: are enough of them up to reach quorum (CKQUORUM), and is any replica eligible (priority, link)?',
    evaluate: (t) => {
      const masters = t.nodes.filter((n) => n.up && n.role === 'master');
      if (t.agreement.master === null)
        return [{ subject: null, summary: `no master has the agreement of a quorum of sentinels` }];
      if (masters.length === 0)
        return [
          { subject: null, summary: `no node answers as master (agreed: ${t.agreement.master})` },
        ];
      return [];
    },
  },
  {
    name: 'RedisMultipleMasters',
    scope: 'sentinel',
    severity: 'critical',
    forMs: 15_000,
    expr: 'count by (deployment) (redis_instance_info{role="master",redis_mode!="cluster"}) > 1',
    summary: '{{ $labels.deployment }} has {{ $value }} nodes that say role:master',
    runbook:
      'Split brain: clients writing to the one the sentinels do not name will lose their writes. Find it (quorum status) and make it a replica.',
    evaluate: (t) => {
      const masters = t.nodes.filter((n) => n.up && n.role === 'master').map((n) => n.addr);
      return masters.length > 1
        ? [
            {
              subject: null,
              summary: `${masters.length} nodes say role:master: ${masters.join(', ')}`,
            },
          ]
        : [];
    },
  },
  {
    name: 'SentinelsDisagree',
    scope: 'sentinel',
    severity: 'warning',
    forMs: 30_000,
    expr: 'count by (deployment) (count by (deployment, master) (quorum_sentinel_master_info)) > 1',
    summary: 'the sentinels of {{ $labels.deployment }} name different masters',
    runbook:
      'Usually a failover still spreading; if it lasts, a sentinel is cut off or was reconfigured by hand (compare SENTINEL MASTER on each).',
    evaluate: (t) =>
      t.agreement.candidates.length > 1
        ? [{ subject: null, summary: `the sentinels name ${t.agreement.candidates.join(', ')}` }]
        : [],
  },
  {
    name: 'SentinelQuorumUnreachable',
    scope: 'sentinel',
    severity: 'critical',
    forMs: 30_000,
    expr: 'min by (deployment) (redis_sentinel_master_ckquorum_status) == 0',
    summary:
      'a sentinel of {{ $labels.deployment }} fails CKQUORUM: no failover could be authorized',
    runbook:
      'Bring sentinels back until a majority of them answer; check SENTINEL CKQUORUM on each.',
    evaluate: (t) =>
      t.sentinels
        .filter((s) => s.up && s.ckquorum !== null && !s.ckquorum.ok)
        .map((s) => ({
          subject: s.addr,
          summary: `sentinel ${s.addr} fails CKQUORUM: ${s.ckquorum?.message ?? ''}`,
        })),
  },
  {
    name: 'SentinelDown',
    scope: 'sentinel',
    severity: 'warning',
    forMs: 30_000,
    expr: 'redis_up{role="sentinel"} == 0',
    summary: 'sentinel {{ $labels.addr }} of {{ $labels.deployment }} does not answer',
    runbook: 'Each sentinel down brings the deployment closer to losing its failover majority.',
    evaluate: (t) =>
      t.sentinels
        .filter((s) => !s.up)
        .map((s) => ({
          subject: s.addr,
          summary: `sentinel ${s.addr} does not answer: ${s.downReason ?? 'no reply'}`,
        })),
  },
  {
    name: 'SentinelTilt',
    scope: 'sentinel',
    severity: 'warning',
    forMs: 0,
    expr: 'redis_sentinel_tilt == 1',
    summary: 'sentinel {{ $labels.addr }} of {{ $labels.deployment }} is in TILT mode',
    runbook:
      'The sentinel saw its clock jump or was frozen (load, VM pause); it acts on nothing for 30 s. Look at the host.',
    evaluate: (t) =>
      t.sentinels
        .filter((s) => s.up && s.tilt === true)
        .map((s) => ({ subject: s.addr, summary: `sentinel ${s.addr} is in TILT mode` })),
  },
  {
    name: 'RedisReplicaLinkDown',
    scope: 'any',
    severity: 'warning',
    forMs: 30_000,
    expr: 'redis_master_link_up == 0',
    summary:
      'replica {{ $labels.addr }} of {{ $labels.deployment }} has its link to the master down',
    runbook:
      'The replica serves stale reads and cannot be promoted safely; check the master, the network and the replica log (full sync loops?).',
    evaluate: (t) =>
      dataNodes(
        t,
        (n) => n.up && n.role === 'replica' && n.replication.linkUp === false,
        (n) => `${n.addr} has its link to ${n.replication.masterAddr ?? 'the master'} down`,
      ),
  },
  {
    name: 'RedisReplicationLagHigh',
    scope: 'any',
    severity: 'warning',
    forMs: 60_000,
    expr: 'quorum_replication_lag_bytes > $lagBytes',
    summary:
      'replica {{ $labels.addr }} of {{ $labels.deployment }} is {{ $value | humanize1024 }}B behind',
    runbook:
      'Writes acknowledged but not yet replicated are lost if the master fails now; check the replica link, its CPU and the write rate.',
    evaluate: (t, ctx) =>
      dataNodes(
        t,
        (n) => n.up && n.role === 'replica' && (n.replication.lagBytes ?? 0) > ctx.lagBytes,
        (n) => `${n.addr} is ${mib(n.replication.lagBytes ?? 0)} behind its master`,
      ),
  },
  {
    name: 'RedisMemoryHigh',
    scope: 'any',
    severity: 'warning',
    forMs: 120_000,
    expr: 'redis_memory_used_bytes / redis_memory_max_bytes > $memoryRatio and redis_memory_max_bytes > 0',
    summary:
      'Redis {{ $labels.addr }} of {{ $labels.deployment }} uses {{ $value | humanizePercentage }} of maxmemory',
    runbook:
      'Evictions or OOM errors come next (maxmemory-policy); raise maxmemory or find the big keys.',
    evaluate: (t, ctx) =>
      dataNodes(
        t,
        (n) =>
          n.up &&
          (n.memoryMaxBytes ?? 0) > 0 &&
          (n.memoryUsedBytes ?? 0) > ctx.memoryRatio * (n.memoryMaxBytes ?? 0),
        (n) =>
          `${n.addr} uses ${mib(n.memoryUsedBytes ?? 0)} of ${mib(n.memoryMaxBytes ?? 0)} maxmemory`,
      ),
  },
  {
    name: 'RedisRejectedConnections',
    scope: 'any',
    severity: 'warning',
    forMs: 0,
    expr: 'increase(redis_rejected_connections_total[5m]) > 0',
    summary: 'Redis {{ $labels.addr }} of {{ $labels.deployment }} rejected connections',
    runbook: 'maxclients was reached: clients leak connections or maxclients is too low.',
    evaluate: (t, ctx) =>
      dataNodes(
        t,
        (n) => {
          const rose = ctx.rejectedRiseMs.get(n.addr);
          return rose !== undefined && ctx.nowMs - rose < REJECTED_WINDOW_MS;
        },
        (n) => `${n.addr} rejected connections (maxclients reached) in the last 5 minutes`,
      ),
  },
  {
    name: 'RedisFailover',
    scope: 'any',
    severity: 'info',
    forMs: 0,
    expr: 'increase(quorum_master_changes_total[10m]) > 0',
    summary: 'the master of {{ $labels.deployment }} moved in the last 10 minutes',
    runbook:
      'Check why (quorum events): clients that cached the old master, and writes acknowledged just before, may be affected.',
    evaluate: (t, ctx) =>
      ctx.lastMasterChangeMs !== null && ctx.nowMs - ctx.lastMasterChangeMs < FAILOVER_ALERT_MS
        ? [
            {
              subject: null,
              // the window, as the Prometheus rule says it: the alert stays firing that long
              summary:
                (t.kind === 'cluster'
                  ? `a shard failed over to its replica in the last ${FAILOVER_WINDOW}`
                  : `the master moved in the last ${FAILOVER_WINDOW}; it is now ${agreedMaster(t) ?? 'none'}`) +
                outage(ctx.lastFailover, ctx.nowMs),
            },
          ]
        : [],
  },
  ...CLUSTER_RULES,
  {
    name: 'RedisTlsCertExpiring',
    scope: 'any',
    severity: 'warning',
    forMs: 0,
    expr: 'min by (deployment, addr) (quorum_tls_cert_expiry_timestamp_seconds) - time() < 30 * 86400',
    summary:
      'the TLS certificate of {{ $labels.addr }} in {{ $labels.deployment }} ends within 30 days',
    runbook:
      'Make a new certificate, put it where tls-cert-file points and run CONFIG SET tls-cert-file <same path> to reload it (Redis does not watch the files). Clients refuse an expired one.',
    evaluate: (t, ctx) =>
      t.certificates
        .filter((c) => c.expiresAtMs - ctx.nowMs < CERT_WARN_MS)
        .map((c) => ({
          subject: c.addr,
          summary: `the certificate of ${c.addr} ${c.expiresAtMs <= ctx.nowMs ? 'ended' : 'ends'} on ${new Date(c.expiresAtMs).toISOString().slice(0, 10)}`,
        })),
  },
  {
    name: 'QuorumObserverStale',
    scope: 'any',
    severity: 'critical',
    forMs: 30_000,
    expr: 'max by (deployment) (quorum_observer_stale) == 1',
    summary:
      "quorum's data on {{ $labels.deployment }} is older than three poll intervals: it no longer sees the deployment",
    runbook:
      "Every other alert on this deployment is blind meanwhile. Look at quorum's event log (quorum:observer-failing says why) and its network path to the nodes.",
    // quorum's own alerts are evaluated on each observation, which is exactly what is missing
    evaluate: null,
  },
];

export function ruleNamed(name: string): AlertRule | undefined {
  return ALERT_RULES.find((r) => r.name === name);
}

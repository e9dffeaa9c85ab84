import { stringify } from 'yaml';
import { ruleNamed } from '../alerts/index.js';

interface Expected {
  labels: Record<string, string>;
  summary: string;
}

interface Case {
  /** What the case shows, as a comment in the file. */
  about: string;
  series: Record<string, string>;
  checks: { at: string; alert: string; expect: Expected[] }[];
}

const A1 = 'addr="10.0.1.1:6379"';
const A2 = 'addr="10.0.1.2:6379"';
const B1 = 'addr="10.0.2.1:6379"';
const B2 = 'addr="10.0.2.2:6379"';
const S = (n: number) => `addr="10.0.1.${10 + n}:26379"`;

/**
 * promtool unit tests for the exported rules: two deployments scraped together, each rule firing
 * for the deployment it is about only, and not before its `for`. Expected summaries are written
 * out by hand: they check the templates, not repeat them.
 */
const CASES: Case[] = [
  {
    about: 'split brain in deployment a only: b has one master; a global count would say 3',
    series: {
      [`redis_instance_info{deployment="a",${A1},role="master"}`]: '1x20',
      [`redis_instance_info{deployment="a",${A2},role="master"}`]: '1x20',
      [`redis_instance_info{deployment="b",${B1},role="master"}`]: '1x20',
      [`redis_instance_info{deployment="b",${B2},role="replica"}`]: '1x20',
    },
    checks: [
      { at: '10s', alert: 'RedisMultipleMasters', expect: [] },
      {
        at: '1m',
        alert: 'RedisMultipleMasters',
        expect: [{ labels: { deployment: 'a' }, summary: 'a has 2 nodes that say role:master' }],
      },
    ],
  },
  {
    about: 'a cluster (c) has three masters by design: that is no split brain',
    series: {
      [`redis_instance_info{deployment="c",addr="10.0.3.1:7000",role="master",redis_mode="cluster"}`]:
        '1x20',
      [`redis_instance_info{deployment="c",addr="10.0.3.2:7000",role="master",redis_mode="cluster"}`]:
        '1x20',
      [`redis_instance_info{deployment="c",addr="10.0.3.3:7000",role="master",redis_mode="cluster"}`]:
        '1x20',
    },
    checks: [{ at: '1m', alert: 'RedisMultipleMasters', expect: [] }],
  },
  {
    about: 'no master: deployment b lost its master (only a replica answers); a is fine',
    series: {
      [`redis_up{deployment="a",${A1},role="master"}`]: '1x20',
      [`redis_instance_info{deployment="a",${A1},role="master"}`]: '1x20',
      [`quorum_master_agreed{deployment="a"}`]: '1x20',
      [`redis_up{deployment="b",${B1},role="unknown"}`]: '0x20',
      [`redis_up{deployment="b",${B2},role="replica"}`]: '1x20',
      [`redis_instance_info{deployment="b",${B2},role="replica"}`]: '1x20',
      [`quorum_master_agreed{deployment="b"}`]: '1x20',
    },
    checks: [
      {
        at: '1m',
        alert: 'RedisNoMaster',
        expect: [
          {
            labels: { deployment: 'b' },
            summary: 'b has no master that answers and that a quorum of sentinels agree on',
          },
        ],
      },
      {
        at: '20s',
        alert: 'RedisNodeDown',
        expect: [],
      },
      {
        at: '1m',
        alert: 'RedisNodeDown',
        expect: [
          {
            labels: { deployment: 'b', addr: '10.0.2.1:6379', role: 'unknown' },
            summary: 'Redis 10.0.2.1:6379 in b does not answer',
          },
        ],
      },
    ],
  },
  {
    about: 'the sentinels of a name two masters, and one of them fails CKQUORUM',
    series: {
      [`quorum_sentinel_master_info{deployment="a",${S(1)},master_name="m",master="10.0.1.1:6379"}`]:
        '1x20',
      [`quorum_sentinel_master_info{deployment="a",${S(2)},master_name="m",master="10.0.1.2:6379"}`]:
        '1x20',
      [`redis_sentinel_master_ckquorum_status{deployment="a",${S(1)},master_name="m"}`]: '1x20',
      [`redis_sentinel_master_ckquorum_status{deployment="a",${S(2)},master_name="m"}`]: '0x20',
      [`quorum_sentinel_master_info{deployment="b",${S(3)},master_name="n",master="10.0.2.1:6379"}`]:
        '1x20',
    },
    checks: [
      {
        at: '1m',
        alert: 'SentinelsDisagree',
        expect: [
          { labels: { deployment: 'a' }, summary: 'the sentinels of a name different masters' },
        ],
      },
      {
        at: '1m',
        alert: 'SentinelQuorumUnreachable',
        expect: [
          {
            labels: { deployment: 'a' },
            summary: 'a sentinel of a fails CKQUORUM: no failover could be authorized',
          },
        ],
      },
    ],
  },
  {
    about: 'a sentinel down, one in TILT, a replica link down and a replica far behind',
    series: {
      [`redis_up{deployment="a",${S(1)},role="sentinel"}`]: '0x20',
      [`redis_sentinel_tilt{deployment="a",${S(2)},master_name="m"}`]: '0 1 1',
      [`redis_master_link_up{deployment="a",${A2},role="replica"}`]: '1 0x20',
      [`quorum_replication_lag_bytes{deployment="a",${A2},role="replica"}`]: '0 20000000x20',
    },
    checks: [
      {
        at: '1m',
        alert: 'SentinelDown',
        expect: [
          {
            labels: { deployment: 'a', addr: '10.0.1.11:26379', role: 'sentinel' },
            summary: 'sentinel 10.0.1.11:26379 of a does not answer',
          },
        ],
      },
      {
        at: '15s',
        alert: 'SentinelTilt',
        expect: [
          {
            labels: { deployment: 'a', addr: '10.0.1.12:26379', master_name: 'm' },
            summary: 'sentinel 10.0.1.12:26379 of a is in TILT mode',
          },
        ],
      },
      {
        at: '1m',
        alert: 'RedisReplicaLinkDown',
        expect: [
          {
            labels: { deployment: 'a', addr: '10.0.1.2:6379', role: 'replica' },
            summary: 'replica 10.0.1.2:6379 of a has its link to the master down',
          },
        ],
      },
      { at: '1m', alert: 'RedisReplicationLagHigh', expect: [] },
      {
        at: '2m',
        alert: 'RedisReplicationLagHigh',
        expect: [
          {
            labels: { deployment: 'a', addr: '10.0.1.2:6379', role: 'replica' },
            summary: 'replica 10.0.1.2:6379 of a is 19.07MiB behind',
          },
        ],
      },
    ],
  },
  {
    about: 'memory near maxmemory, rejected connections, a failover in b',
    series: {
      [`redis_memory_used_bytes{deployment="a",${A1},role="master"}`]: '950x20',
      [`redis_memory_max_bytes{deployment="a",${A1},role="master"}`]: '1000x20',
      [`redis_memory_used_bytes{deployment="a",${A2},role="replica"}`]: '950x20',
      [`redis_memory_max_bytes{deployment="a",${A2},role="replica"}`]: '0x20',
      [`redis_rejected_connections_total{deployment="a",${A1},role="master"}`]: '0 0 3 3',
      [`quorum_master_changes_total{deployment="a"}`]: '0x20',
      [`quorum_master_changes_total{deployment="b"}`]: '0 0 1 1 1',
    },
    checks: [
      {
        at: '3m',
        alert: 'RedisMemoryHigh',
        expect: [
          {
            labels: { deployment: 'a', addr: '10.0.1.1:6379', role: 'master' },
            summary: 'Redis 10.0.1.1:6379 of a uses 95% of maxmemory',
          },
        ],
      },
      {
        at: '45s',
        alert: 'RedisRejectedConnections',
        expect: [
          {
            labels: { deployment: 'a', addr: '10.0.1.1:6379', role: 'master' },
            summary: 'Redis 10.0.1.1:6379 of a rejected connections',
          },
        ],
      },
      {
        at: '1m',
        alert: 'RedisFailover',
        expect: [
          { labels: { deployment: 'b' }, summary: 'the master of b moved in the last 10 minutes' },
        ],
      },
    ],
  },
  {
    about: 'a cluster (redis_exporter metrics) in state fail with slots failing',
    series: {
      [`redis_cluster_state{deployment="c",${B1}}`]: '1 0x20',
      [`redis_cluster_slots_fail{deployment="c",${B1}}`]: '0 5461x20',
    },
    checks: [
      {
        at: '1m',
        alert: 'RedisClusterStateNotOk',
        expect: [
          {
            labels: { deployment: 'c', addr: '10.0.2.1:6379' },
            summary: 'cluster node 10.0.2.1:6379 of c reports cluster_state:fail',
          },
        ],
      },
      {
        at: '30s',
        alert: 'RedisClusterSlotsFail',
        expect: [
          {
            labels: { deployment: 'c', addr: '10.0.2.1:6379' },
            summary: '5461 slots of c are in fail state',
          },
        ],
      },
    ],
  },
  {
    about: "a certificate of a ends within 30 days; b's lasts 60 (promtool's clock starts at 0)",
    series: {
      [`quorum_tls_cert_expiry_timestamp_seconds{deployment="a",${A1},process="node"}`]:
        '1728000x10',
      [`quorum_tls_cert_expiry_timestamp_seconds{deployment="b",${B1},process="node"}`]:
        '5184000x10',
    },
    checks: [
      {
        at: '1m',
        alert: 'RedisTlsCertExpiring',
        expect: [
          {
            labels: { deployment: 'a', addr: '10.0.1.1:6379' },
            summary: 'the TLS certificate of 10.0.1.1:6379 in a ends within 30 days',
          },
        ],
      },
    ],
  },
  {
    about: "quorum's data on a goes stale (its polls hang); b stays fresh",
    series: {
      [`quorum_observer_stale{deployment="a"}`]: '0 0 1x20',
      [`quorum_observer_stale{deployment="b"}`]: '0x20',
    },
    checks: [
      { at: '45s', alert: 'QuorumObserverStale', expect: [] },
      {
        at: '1m15s',
        alert: 'QuorumObserverStale',
        expect: [
          {
            labels: { deployment: 'a' },
            summary:
              "quorum's data on a is older than three poll intervals: it no longer sees the deployment",
          },
        ],
      },
    ],
  },
];

/** A promtool test file for the rules file named `rulesFile` (pure). */
export function renderPrometheusRuleTests(rulesFile: string): string {
  const tests = CASES.map((c) => ({
    interval: '15s',
    name: c.about,
    input_series: Object.entries(c.series).map(([series, values]) => ({ series, values })),
    alert_rule_test: c.checks.map((check) => {
      const rule = ruleNamed(check.alert);
      if (!rule) throw new Error(`no rule ${check.alert}`);
      return {
        eval_time: check.at,
        alertname: check.alert,
        exp_alerts: check.expect.map((e) => ({
          exp_labels: { severity: rule.severity, ...e.labels },
          exp_annotations: { summary: e.summary, runbook: rule.runbook },
        })),
      };
    }),
  }));
  return `# promtool unit tests for quorum's alert rules: promtool test rules <this file>\n${stringify(
    { rule_files: [rulesFile], evaluation_interval: '15s', tests },
    { lineWidth: 0 },
  )}`;
}

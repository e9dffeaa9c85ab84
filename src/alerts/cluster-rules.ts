import type { AlertRule } from './rule.js';

/** The rules only a Redis Cluster has (the catalogue lists them in its table). */
export const CLUSTER_RULES: readonly AlertRule[] = [
  {
    name: 'RedisClusterStateNotOk',
    scope: 'cluster',
    severity: 'critical',
    forMs: 30_000,
    expr: 'redis_cluster_state == 0',
    summary:
      'cluster node {{ $labels.addr }} of {{ $labels.deployment }} reports cluster_state:fail',
    runbook:
      'Some slots have no master that answers: look for a shard whose master and replicas are all down.',
    evaluate: (t) =>
      t.cluster.views
        .filter((v) => v.up && v.state === 'fail')
        .map((v) => ({ subject: v.addr, summary: `${v.addr} reports cluster_state:fail` })),
  },
  {
    name: 'RedisClusterSlotsFail',
    scope: 'cluster',
    severity: 'critical',
    forMs: 0,
    expr: 'redis_cluster_slots_fail > 0',
    summary: '{{ $value }} slots of {{ $labels.deployment }} are in fail state',
    runbook: 'Keys in those slots cannot be read or written; bring back the shard or fail it over.',
    evaluate: (t) => {
      const failing = Math.max(0, ...t.cluster.views.map((v) => v.slotsFail ?? 0));
      return failing > 0
        ? [
            {
              subject: null,
              summary: `${failing} slots are in fail state (no master answers for them)`,
            },
          ]
        : [];
    },
  },
];

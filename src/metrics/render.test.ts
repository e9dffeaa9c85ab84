import { describe, expect, it } from 'vitest';
import { downNode } from '../model/index.js';
import { clusterTopology, MASTER, R1, replica, topology } from '../model/topology.fixture.js';
import { escapeLabel, Exposition } from './exposition.js';
import type { DeploymentMetrics } from './render.js';
import { renderMetrics } from './render.js';

function metrics(overrides: Partial<DeploymentMetrics> = {}): DeploymentMetrics {
  return {
    name: 'cache',
    topology: topology(),
    observer: {
      polls: 12,
      lastPollMs: 4.5,
      failedReads: 1,
      failedPolls: 0,
      failing: null,
      staleAfterMs: 3000,
    },
    masterChanges: 2,
    lastFailover: { atMs: 1_700_000_000_000, durationMs: 6250, detectionMs: 5100 },
    proxy: null,
    drill: null,
    alerts: [],
    network: null,
    ...overrides,
  };
}

/** The sample lines of one family. */
/** Half a second after the fixtures' observation: fresh data. */
const NOW = 1_700_000_000_500;

const samples = (text: string, name: string) =>
  text.split('\n').filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));

describe('Exposition', () => {
  it('writes HELP and TYPE once per family, leaves out unknown values, escapes labels', () => {
    const out = new Exposition().declare('a_total', 'counter', 'A.').declare('b', 'info', 'B.');
    out.add('a_total', { x: 'q"u\\o\nte' }, 3);
    out.add('a_total', { x: 'y' }, null);
    out.add('b', {}, true);
    expect(out.render()).toBe(
      '# HELP a_total A.\n# TYPE a_total counter\na_total{x="q\\"u\\\\o\\nte"} 3\n# HELP b B.\n# TYPE b gauge\nb 1\n',
    );
    expect(escapeLabel('plain')).toBe('plain');
    expect(() => out.add('undeclared', {}, 1)).toThrow('not declared');
  });
});

describe('renderMetrics', () => {
  it('labels every node with its deployment, address and role, with redis_exporter names', () => {
    const text = renderMetrics([metrics()], NOW);
    expect(samples(text, 'redis_up')).toContain(
      `redis_up{deployment="cache",addr="${MASTER}",role="master"} 1`,
    );
    expect(samples(text, 'redis_master_link_up')).toContain(
      `redis_master_link_up{deployment="cache",addr="${R1}",role="replica"} 1`,
    );
    expect(samples(text, 'redis_master_repl_offset')).toEqual([
      `redis_master_repl_offset{deployment="cache",addr="${MASTER}",role="master"} 422`,
    ]);
    expect(samples(text, 'quorum_master_changes_total')).toEqual([
      'quorum_master_changes_total{deployment="cache"} 2',
    ]);
    expect(samples(text, 'quorum_last_failover_seconds')).toEqual([
      'quorum_last_failover_seconds{deployment="cache"} 6.25',
    ]);
    expect(samples(text, 'quorum_last_failover_detection_seconds')).toEqual([
      'quorum_last_failover_detection_seconds{deployment="cache"} 5.1',
    ]);
    expect(samples(text, 'quorum_sentinel_agreement')).toEqual([
      'quorum_sentinel_agreement{deployment="cache"} 1',
    ]);
    expect(samples(text, 'quorum_observer_poll_duration_seconds')).toEqual([
      'quorum_observer_poll_duration_seconds{deployment="cache"} 0.0045',
    ]);
  });

  it('keeps two deployments apart, and shows a down node as down with nothing else made up', () => {
    const down = topology({ nodes: [downNode(MASTER, 'refused'), replica(R1, MASTER)] });
    const text = renderMetrics([metrics(), metrics({ name: 'queue', topology: down })], NOW);
    expect(samples(text, 'redis_up')).toContain(
      `redis_up{deployment="queue",addr="${MASTER}",role="unknown"} 0`,
    );
    expect(
      samples(text, 'redis_connected_clients').some(
        (l) => l.includes('queue') && l.includes(MASTER),
      ),
    ).toBe(false);
    expect(samples(text, 'quorum_masters_reporting')).toEqual([
      'quorum_masters_reporting{deployment="cache"} 1',
      'quorum_masters_reporting{deployment="queue"} 0',
    ]);
    const types = text.split('\n').filter((l) => l.startsWith('# TYPE'));
    expect(new Set(types).size).toBe(types.length);
  });

  it('counts the active network faults of a lab by kind, and says nothing of them elsewhere', () => {
    const text = renderMetrics(
      [
        metrics({ network: [{ kind: 'partition', groups: [['redis-1'], ['redis-2']] }] }),
        metrics({ name: 'plain' }),
      ],
      NOW,
    );
    const lines = samples(text, 'quorum_network_faults_active');
    expect(lines).toContain('quorum_network_faults_active{deployment="cache",kind="partition"} 1');
    expect(lines).toContain('quorum_network_faults_active{deployment="cache",kind="loss"} 0');
    expect(lines.some((l) => l.includes('plain'))).toBe(false);
  });

  it('shows firing built-in alerts, not pending ones', () => {
    const alert = {
      id: 'RedisNodeDown/x',
      rule: 'RedisNodeDown',
      severity: 'critical' as const,
      deployment: 'cache',
      subject: 'x:1',
      summary: '',
      runbook: '',
      forMs: 30_000,
      sinceMs: 0,
      firedAtMs: 1,
      resolvedAtMs: null,
    };
    const text = renderMetrics(
      [
        metrics({
          alerts: [
            { ...alert, status: 'firing' },
            { ...alert, id: 'p', status: 'pending' },
          ],
        }),
      ],
      NOW,
    );
    expect(samples(text, 'quorum_alert_firing')).toEqual([
      'quorum_alert_firing{deployment="cache",alertname="RedisNodeDown",severity="critical",subject="x:1"} 1',
    ]);
  });
});

describe('renderMetrics of a stale observer', () => {
  it('counts failed polls and says the last one failed', () => {
    const failing = metrics({
      observer: { ...metrics().observer, failedPolls: 4, failing: 'no node or sentinel answered' },
    });
    const text = renderMetrics([failing], NOW);
    expect(samples(text, 'quorum_observer_poll_failures_total')).toEqual([
      'quorum_observer_poll_failures_total{deployment="cache"} 4',
    ]);
    expect(samples(text, 'quorum_observer_poll_failing')).toEqual([
      'quorum_observer_poll_failing{deployment="cache"} 1',
    ]);
    expect(samples(text, 'quorum_observer_stale')).toEqual([
      'quorum_observer_stale{deployment="cache"} 0',
    ]);
    expect(samples(text, 'quorum_observer_data_age_seconds')).toEqual([
      'quorum_observer_data_age_seconds{deployment="cache"} 0.5',
    ]);
  });

  it('leaves out every node and sentinel sample once the data is older than three intervals', () => {
    const fresh = renderMetrics([metrics()], 1_700_000_003_000);
    expect(samples(fresh, 'redis_up').length).toBeGreaterThan(0);
    const text = renderMetrics([metrics()], 1_700_000_003_001);
    expect(samples(text, 'quorum_observer_stale')).toEqual([
      'quorum_observer_stale{deployment="cache"} 1',
    ]);
    expect(samples(text, 'quorum_observer_data_age_seconds')).toEqual([
      'quorum_observer_data_age_seconds{deployment="cache"} 3.001',
    ]);
    for (const family of [
      'redis_up',
      'redis_sentinel_master_ckquorum_status',
      'quorum_master_info',
    ])
      expect(samples(text, family)).toEqual([]);
    expect(samples(text, 'quorum_observer_polls_total')).toEqual([
      'quorum_observer_polls_total{deployment="cache"} 12',
    ]);
  });

  it('is stale before the first poll finished', () => {
    const text = renderMetrics([metrics({ topology: null })], NOW);
    expect(samples(text, 'quorum_observer_stale')).toEqual([
      'quorum_observer_stale{deployment="cache"} 1',
    ]);
  });
});

describe('renderMetrics on a cluster', () => {
  it("exports each node's cluster state with redis_exporter's names, and quorum's slot map figures", () => {
    const text = renderMetrics(
      [metrics({ name: 'shop', topology: clusterTopology({ failing: true }) })],
      NOW,
    );
    expect(samples(text, 'redis_cluster_state')).toHaveLength(6);
    expect(samples(text, 'redis_cluster_state')[0]).toBe(
      'redis_cluster_state{deployment="shop",addr="127.0.0.1:7000"} 0',
    );
    expect(samples(text, 'redis_cluster_slots_fail')[0]).toContain(' 5461');
    expect(samples(text, 'quorum_cluster_slots_covered')).toEqual([
      'quorum_cluster_slots_covered{deployment="shop"} 16384',
    ]);
    expect(samples(text, 'quorum_cluster_shards')).toEqual([
      'quorum_cluster_shards{deployment="shop"} 3',
    ]);
    expect(samples(text, 'quorum_sentinel_agreement')).toEqual([]);
  });
});

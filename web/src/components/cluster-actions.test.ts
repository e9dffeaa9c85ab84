import { describe, expect, it } from 'vitest';
import type { ClusterJob, DeploymentState } from '../../../src/server/contract.js';
import { ADDR, cluster, FAILED_OVER, topology } from '../cluster.fixture.js';
import {
  clusterFailoverAction,
  delNodeAction,
  isClusterRequest,
  removable,
  reshardAction,
} from './cluster-actions.js';

function deployment(overrides: Partial<DeploymentState> = {}): DeploymentState {
  return {
    name: 'mycluster',
    topology: topology(cluster()),
    processes: [{ name: 'redis-4', kind: 'redis', addr: ADDR.r1, pid: 4, state: 'running' }],
    capabilities: {
      remote: ['debug-sleep'],
      process: [],
      network: false,
      cluster: ['cluster-failover', 'reshard', 'rebalance', 'del-node'],
    },
    problems: [],
    unreachable: null,
    proxy: null,
    alertsFiring: 0,
    alertsSeverity: null,
    network: null,
    clusterJob: null,
    links: [],
    observer: { ageMs: 500, stale: false, staleAfterMs: 3000, failing: null, failedPolls: 0 },
    ...overrides,
  };
}

const RUNNING: ClusterJob = {
  id: 'j',
  action: 'reshard',
  description: 'move 200 slots from 127.0.0.1:7000 to 127.0.0.1:7001',
  startedMs: 0,
  endedMs: null,
  done: 3,
  total: 200,
  unit: 'slots',
  keysMoved: 0,
  message: '',
  error: null,
};

describe('cluster actions', () => {
  it('fails over to a replica, FORCE only when its master is failing, named by process', () => {
    const healthy = clusterFailoverAction(deployment(), ADDR.r1);
    expect(healthy?.request).toEqual({
      action: 'cluster-failover',
      node: ADDR.r1,
      mode: 'default',
    });
    expect(healthy?.title).toBe(`Promote redis-4 (${ADDR.r1})?`);
    expect(clusterFailoverAction(deployment(), ADDR.m1)).toBeNull();
    const lines = { ...FAILED_OVER, r1: { role: 'slave' as const, of: 'm1' as const } };
    const failing = deployment({ topology: topology(cluster({ lines }), ['m1']) });
    expect(clusterFailoverAction(failing, ADDR.r1)?.request).toMatchObject({ mode: 'force' });
    const offered = deployment();
    offered.capabilities.cluster = ['reshard'];
    expect(clusterFailoverAction(offered, ADDR.r1)).toBeNull();
  });

  it('waits while a job runs, saying which', () => {
    const a = reshardAction(deployment({ clusterJob: RUNNING }), ADDR.m1, ADDR.m2, 10);
    expect(a.enabled).toBe(false);
    expect(a.why).toContain('move 200 slots');
    expect(reshardAction(deployment(), ADDR.m1, ADDR.m2, 10).enabled).toBe(true);
    expect(reshardAction(deployment(), ADDR.m1, ADDR.m1, 10).enabled).toBe(false);
  });

  it('removes only replicas and masters without slots', () => {
    const d = deployment({ topology: topology(cluster({ lines: FAILED_OVER }), ['m1']) });
    expect(removable(d)).toEqual([ADDR.m1, ADDR.r2, ADDR.r3]);
    expect(delNodeAction(d, ADDR.m2).enabled).toBe(false);
    expect(delNodeAction(d, ADDR.m1).enabled).toBe(true);
  });

  it('tells cluster requests from node actions', () => {
    expect(isClusterRequest({ action: 'rebalance', useEmptyMasters: false })).toBe(true);
    expect(isClusterRequest({ action: 'failover' })).toBe(false);
    expect(isClusterRequest({ action: 'kill', node: ADDR.m1 })).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import type { QuorumEvent } from '../../src/model/index.js';
import type {
  AlertsState,
  ClusterJob,
  DeploymentState,
  DrillLive,
  PushMessage,
  Sample,
} from '../../src/server/contract.js';
import type { LiveData } from './apply.js';
import { EMPTY_LIVE, EVENTS_KEPT, SAMPLES_KEPT, apply, withSeed } from './apply.js';

function deployment(name: string, clusterJob: ClusterJob | null = null): DeploymentState {
  return {
    name,
    topology: null,
    processes: [],
    capabilities: { remote: [], process: [], network: false, cluster: [] },
    problems: [],
    unreachable: null,
    proxy: null,
    alertsFiring: 0,
    alertsSeverity: null,
    network: null,
    clusterJob,
    links: [],
    observer: { ageMs: 500, stale: false, staleAfterMs: 3000, failing: null, failedPolls: 0 },
  };
}

function job(id: string, done: number, endedMs: number | null = null): ClusterJob {
  return {
    id,
    action: 'reshard',
    description: `move 100 slots (${id})`,
    startedMs: 1000,
    endedMs,
    done,
    total: 100,
    unit: 'slots',
    keysMoved: 0,
    message: '',
    error: null,
  };
}

function event(id: string, ms: number): QuorumEvent {
  return {
    id,
    ms,
    deployment: 'cache',
    type: '+sdown',
    source: 'sentinel',
    message: 'master mymaster 127.0.0.1 6379',
    subject: null,
    switch: null,
    reports: [{ by: '127.0.0.1:26379', ms }],
    detail: {},
  };
}

function drill(phase: DrillLive['phase']): DrillLive {
  return {
    deployment: 'cache',
    scenario: 'kill-master',
    run: 1,
    runs: 1,
    phase,
    startedAtMs: 0,
    faultAtMs: null,
    series: { stepMs: 100, fromMs: 0, acked: [], failed: [] },
    events: [],
    lines: [],
  };
}

function sample(t: number): Sample {
  return { t, opsPerSec: 1, memoryUsedBytes: 1, connectedClients: 1, lagBytes: null };
}

const ALERTS: AlertsState = { active: [], resolved: [] };

function reduce(messages: PushMessage[], from: LiveData = EMPTY_LIVE): LiveData {
  return messages.reduce(apply, from);
}

describe('apply', () => {
  it('replaces deployments and drills with a snapshot, keeping events and samples', () => {
    const before = reduce([
      { type: 'deployment', deployment: deployment('old') },
      { type: 'event', event: event('e1', 1) },
    ]);
    const after = apply(before, {
      type: 'snapshot',
      deployments: [deployment('cache')],
      drills: [drill('done')],
    });
    expect(Object.keys(after.deployments)).toEqual(['cache']);
    expect(after.drills.cache?.phase).toBe('done');
    expect(after.events).toBe(before.events);
  });

  it('keeps the newer cluster job when a deployment push carries an older sighting', () => {
    const state = reduce([
      { type: 'deployment', deployment: deployment('c', job('j', 10)) },
      { type: 'cluster-job', deployment: 'c', job: job('j', 50) },
      { type: 'deployment', deployment: deployment('c', job('j', 20)) },
    ]);
    expect(state.deployments.c?.clusterJob?.done).toBe(50);
    // a job of a deployment not known yet changes nothing
    expect(apply(state, { type: 'cluster-job', deployment: 'x', job: job('k', 1) })).toBe(state);
  });

  it('appends events up to the kept number, and adds a report once per sentinel', () => {
    const many = Array.from({ length: EVENTS_KEPT + 5 }, (_, i): PushMessage => ({
      type: 'event',
      event: event(`e${String(i)}`, i),
    }));
    const kept = reduce(many).events.cache ?? [];
    expect(kept).toHaveLength(EVENTS_KEPT);
    expect(kept[0]?.id).toBe('e5');

    const report: PushMessage = {
      type: 'report',
      deployment: 'cache',
      id: 'e1',
      report: { by: '127.0.0.1:26380', ms: 2 },
    };
    const state = reduce([{ type: 'event', event: event('e1', 1) }, report, report]);
    expect(state.events.cache?.[0]?.reports.map((r) => r.by)).toEqual([
      '127.0.0.1:26379',
      '127.0.0.1:26380',
    ]);
  });

  it('bumps drillsChanged only when a drill finished a scenario or ended', () => {
    const running = reduce([
      { type: 'drill', deployment: 'cache', live: drill('fault-injected'), finished: null },
    ]);
    expect(running.drills.cache?.phase).toBe('fault-injected');
    expect(running.drillsChanged.cache).toBeUndefined();
    const ended = reduce(
      [
        { type: 'drill', deployment: 'cache', live: drill('stopped'), finished: null },
        { type: 'drill', deployment: 'cache', live: drill('done'), finished: null },
      ],
      running,
    );
    expect(ended.drillsChanged.cache).toBe(2);
  });

  it('appends samples per node up to the kept number', () => {
    const messages = Array.from({ length: SAMPLES_KEPT + 1 }, (_, t): PushMessage => ({
      type: 'samples',
      deployment: 'cache',
      t,
      samples: { 'a:1': sample(t), ...(t === 0 ? { 'b:2': sample(t) } : {}) },
    }));
    const state = reduce(messages);
    expect(state.samples.cache?.['a:1']).toHaveLength(SAMPLES_KEPT);
    expect(state.samples.cache?.['a:1']?.[0]?.t).toBe(1);
    expect(state.samples.cache?.['b:2']).toHaveLength(1);
  });

  it('replaces a deployment’s alerts', () => {
    const state = apply(EMPTY_LIVE, { type: 'alerts', deployment: 'cache', alerts: ALERTS });
    expect(state.alerts.cache).toBe(ALERTS);
  });

  it('does not change the state it is given', () => {
    const before = reduce([{ type: 'event', event: event('e1', 1) }]);
    const copy = structuredClone(before);
    apply(before, { type: 'event', event: event('e2', 2) });
    expect(before).toEqual(copy);
  });
});

describe('withSeed', () => {
  it('merges past events in time order without duplicates, and history before live samples', () => {
    const live = reduce([
      { type: 'event', event: event('e3', 3) },
      { type: 'samples', deployment: 'cache', t: 5, samples: { 'a:1': sample(5) } },
      { type: 'samples', deployment: 'cache', t: 6, samples: { 'a:1': sample(6) } },
    ]);
    const seeded = withSeed(live, 'cache', [event('e1', 1), event('e3', 3)], {
      'a:1': [sample(4), sample(5)],
    });
    expect(seeded.events.cache?.map((e) => e.id)).toEqual(['e1', 'e3']);
    expect(seeded.samples.cache?.['a:1']?.map((s) => s.t)).toEqual([4, 5, 6]);
  });
});

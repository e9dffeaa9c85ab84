import { useSyncExternalStore } from 'react';
import { isFinished } from '../../src/drill/live.js';
import type { QuorumEvent } from '../../src/model/index.js';
import { newerJob } from './cluster-view.js';
import type {
  AlertsState,
  ClusterJob,
  DeploymentState,
  DrillLive,
  PushMessage,
  Sample,
} from '../../src/server/contract.js';

/** 15 minutes at one sample a second, as the server keeps. */
const SAMPLES_KEPT = 900;
const EVENTS_KEPT = 2000;

export interface LiveState {
  connected: boolean;
  deployments: Record<string, DeploymentState>;
  events: Record<string, QuorumEvent[]>;
  samples: Record<string, Record<string, Sample[]>>;
  /** The latest drill started from the dashboard on each deployment, running or ended. */
  drills: Record<string, DrillLive>;
  /** Bumped whenever a drill on the deployment finished a scenario or stopped: time to reload its list. */
  drillsChanged: Record<string, number>;
  /** Pending, firing and recently resolved alerts of each deployment, as last loaded or pushed. */
  alerts: Record<string, AlertsState>;
  /** When the last message arrived (ms), to show staleness. */
  lastMessageMs: number;
}

let state: LiveState = {
  connected: false,
  deployments: {},
  events: {},
  samples: {},
  drills: {},
  drillsChanged: {},
  alerts: {},
  lastMessageMs: 0,
};
const listeners = new Set<() => void>();

function set(next: LiveState): void {
  state = next;
  for (const listener of listeners) listener();
}

function apply(message: PushMessage): void {
  const now = Date.now();
  switch (message.type) {
    case 'snapshot':
      set({
        ...state,
        connected: true,
        lastMessageMs: now,
        deployments: Object.fromEntries(message.deployments.map((d) => [d.name, d])),
        // what ended while the stream was down is in the snapshot
        drills: Object.fromEntries(message.drills.map((d) => [d.deployment, d])),
      });
      return;
    case 'deployment': {
      const d = message.deployment;
      const known = state.deployments[d.name]?.clusterJob ?? null;
      set({
        ...state,
        lastMessageMs: now,
        deployments: {
          ...state.deployments,
          [d.name]: { ...d, clusterJob: newerJob(known, d.clusterJob) },
        },
      });
      return;
    }
    case 'cluster-job':
      set({ ...withJob(message.deployment, message.job), lastMessageMs: now });
      return;
    case 'event': {
      const list = [...(state.events[message.event.deployment] ?? []), message.event].slice(
        -EVENTS_KEPT,
      );
      set({
        ...state,
        lastMessageMs: now,
        events: { ...state.events, [message.event.deployment]: list },
      });
      return;
    }
    case 'report': {
      const list = (state.events[message.deployment] ?? []).map((e) =>
        e.id === message.id && !e.reports.some((r) => r.by === message.report.by)
          ? { ...e, reports: [...e.reports, message.report] }
          : e,
      );
      set({
        ...state,
        lastMessageMs: now,
        events: { ...state.events, [message.deployment]: list },
      });
      return;
    }
    case 'drill': {
      const changed = message.finished !== null || isFinished(message.live);
      set({
        ...state,
        lastMessageMs: now,
        drills: { ...state.drills, [message.deployment]: message.live },
        drillsChanged: changed
          ? {
              ...state.drillsChanged,
              [message.deployment]: (state.drillsChanged[message.deployment] ?? 0) + 1,
            }
          : state.drillsChanged,
      });
      return;
    }
    case 'samples': {
      const current = state.samples[message.deployment] ?? {};
      const next: Record<string, Sample[]> = { ...current };
      for (const [addr, sample] of Object.entries(message.samples))
        next[addr] = [...(current[addr] ?? []), sample].slice(-SAMPLES_KEPT);
      set({
        ...state,
        lastMessageMs: now,
        samples: { ...state.samples, [message.deployment]: next },
      });
      return;
    }
    case 'alerts':
      set({
        ...state,
        lastMessageMs: now,
        alerts: { ...state.alerts, [message.deployment]: message.alerts },
      });
      return;
  }
}

/** The state with a sighting of a deployment's cluster job, unless a newer one is known. */
function withJob(deployment: string, job: ClusterJob): LiveState {
  const d = state.deployments[deployment];
  if (!d) return state;
  const clusterJob = newerJob(d.clusterJob, job);
  if (clusterJob === d.clusterJob) return state;
  return { ...state, deployments: { ...state.deployments, [deployment]: { ...d, clusterJob } } };
}

/** Shows a job the server just started (its 202 answer) without waiting for the first push. */
export function noteClusterJob(deployment: string, job: ClusterJob): void {
  set(withJob(deployment, job));
}

let source: EventSource | null = null;
let snapshots = 0;
const resyncListeners = new Set<() => void>();

/** Called after every snapshot but the first: what happened while the stream was down is missing. */
export function onResync(listener: () => void): () => void {
  resyncListeners.add(listener);
  return () => resyncListeners.delete(listener);
}

/**
 * Opens the stream (authenticated by the session cookie). EventSource reconnects by itself after
 * a network error; when the server refuses it (a 401 after the server restarted), it closes for
 * good and `onClosed` decides what follows (log in again, or ask for a token).
 */
export function connect(onClosed: () => void): void {
  if (source) return;
  const stream = new EventSource('/api/stream');
  source = stream;
  for (const type of [
    'snapshot',
    'deployment',
    'event',
    'report',
    'samples',
    'drill',
    'alerts',
    'cluster-job',
  ] as const) {
    stream.addEventListener(type, (e: MessageEvent<string>) => {
      const message = JSON.parse(e.data) as PushMessage;
      apply(message);
      if (message.type === 'snapshot' && snapshots++ > 0)
        for (const listener of resyncListeners) listener();
    });
  }
  stream.onopen = () => set({ ...state, connected: true });
  stream.onerror = () => {
    set({ ...state, connected: false });
    if (stream.readyState === EventSource.CLOSED) {
      if (source === stream) source = null;
      onClosed();
    }
  };
}

export function disconnect(): void {
  source?.close();
  source = null;
}

/** Seeds what the stream does not replay: past events and the charts' history. */
export function seed(
  deployment: string,
  events: QuorumEvent[],
  history: Record<string, Sample[]>,
): void {
  const known = new Set((state.events[deployment] ?? []).map((e) => e.id));
  const merged = [
    ...events.filter((e) => !known.has(e.id)),
    ...(state.events[deployment] ?? []),
  ].sort((a, b) => a.ms - b.ms);
  const samples: Record<string, Sample[]> = { ...history };
  for (const [addr, live] of Object.entries(state.samples[deployment] ?? {})) {
    const last = history[addr]?.at(-1)?.t ?? 0;
    samples[addr] = [...(history[addr] ?? []), ...live.filter((s) => s.t > last)].slice(
      -SAMPLES_KEPT,
    );
  }
  set({
    ...state,
    events: { ...state.events, [deployment]: merged.slice(-EVENTS_KEPT) },
    samples: { ...state.samples, [deployment]: samples },
  });
}

/** Seeds the alerts: the stream pushes them only when one fires or resolves. */
export function seedAlerts(deployment: string, alerts: AlertsState): void {
  set({ ...state, alerts: { ...state.alerts, [deployment]: alerts } });
}

export function useLive(): LiveState {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => state,
  );
}

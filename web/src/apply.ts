import { assertNever, isFinished } from '../../src/model/index.js';
import type { QuorumEvent } from '../../src/model/index.js';
import type {
  AlertsState,
  ClusterJob,
  DeploymentState,
  DrillLive,
  PushMessage,
  Sample,
} from '../../src/server/contract.js';
import { newerJob } from './cluster-view.js';

/** 15 minutes at one sample a second, as the server keeps. */
export const SAMPLES_KEPT = 900;
export const EVENTS_KEPT = 2000;

/** What the server pushed (and the pages seeded), reduced: what the components read. */
export interface LiveData {
  deployments: Record<string, DeploymentState>;
  events: Record<string, QuorumEvent[]>;
  samples: Record<string, Record<string, Sample[]>>;
  /** The latest drill started from the dashboard on each deployment, running or ended. */
  drills: Record<string, DrillLive>;
  /** Bumped whenever a drill on the deployment finished a scenario or stopped: time to reload its list. */
  drillsChanged: Record<string, number>;
  /** Pending, firing and recently resolved alerts of each deployment, as last loaded or pushed. */
  alerts: Record<string, AlertsState>;
}

export const EMPTY_LIVE: LiveData = {
  deployments: {},
  events: {},
  samples: {},
  drills: {},
  drillsChanged: {},
  alerts: {},
};

/** The state after one pushed message; pure, so it is tested without a server. */
export function apply(state: LiveData, message: PushMessage): LiveData {
  switch (message.type) {
    case 'snapshot':
      return {
        ...state,
        deployments: Object.fromEntries(message.deployments.map((d) => [d.name, d])),
        // what ended while the stream was down is in the snapshot
        drills: Object.fromEntries(message.drills.map((d) => [d.deployment, d])),
      };
    case 'deployment': {
      const d = message.deployment;
      const known = state.deployments[d.name]?.clusterJob ?? null;
      return {
        ...state,
        deployments: {
          ...state.deployments,
          [d.name]: { ...d, clusterJob: newerJob(known, d.clusterJob) },
        },
      };
    }
    case 'cluster-job':
      return withJob(state, message.deployment, message.job);
    case 'event': {
      const name = message.event.deployment;
      const list = [...(state.events[name] ?? []), message.event].slice(-EVENTS_KEPT);
      return { ...state, events: { ...state.events, [name]: list } };
    }
    case 'report': {
      const list = (state.events[message.deployment] ?? []).map((e) =>
        e.id === message.id && !e.reports.some((r) => r.by === message.report.by)
          ? { ...e, reports: [...e.reports, message.report] }
          : e,
      );
      return { ...state, events: { ...state.events, [message.deployment]: list } };
    }
    case 'drill': {
      const name = message.deployment;
      const changed = message.finished !== null || isFinished(message.live);
      return {
        ...state,
        drills: { ...state.drills, [name]: message.live },
        drillsChanged: changed
          ? { ...state.drillsChanged, [name]: (state.drillsChanged[name] ?? 0) + 1 }
          : state.drillsChanged,
      };
    }
    case 'samples': {
      const current = state.samples[message.deployment] ?? {};
      const next: Record<string, Sample[]> = { ...current };
      for (const [addr, sample] of Object.entries(message.samples))
        next[addr] = [...(current[addr] ?? []), sample].slice(-SAMPLES_KEPT);
      return { ...state, samples: { ...state.samples, [message.deployment]: next } };
    }
    case 'alerts':
      return { ...state, alerts: { ...state.alerts, [message.deployment]: message.alerts } };
    default:
      return assertNever(message);
  }
}

/** The state with a sighting of a deployment's cluster job, unless a newer one is known. */
export function withJob(state: LiveData, deployment: string, job: ClusterJob): LiveData {
  const d = state.deployments[deployment];
  if (!d) return state;
  const clusterJob = newerJob(d.clusterJob, job);
  if (clusterJob === d.clusterJob) return state;
  return { ...state, deployments: { ...state.deployments, [deployment]: { ...d, clusterJob } } };
}

/** The state with what the stream does not replay: past events and the charts' history. */
export function withSeed(
  state: LiveData,
  deployment: string,
  events: QuorumEvent[],
  history: Record<string, Sample[]>,
): LiveData {
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
  return {
    ...state,
    events: { ...state.events, [deployment]: merged.slice(-EVENTS_KEPT) },
    samples: { ...state.samples, [deployment]: samples },
  };
}

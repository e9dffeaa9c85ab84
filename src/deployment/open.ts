import { join, resolve } from 'node:path';
import type { Expectation } from '../model/index.js';
import { UserError } from '../model/index.js';
import type { NodeController } from '../local/index.js';
import { controlClient, expectationOf, localAccess, readState } from '../local/index.js';
import type { ObserveTarget } from '../observer/index.js';
import { EventLog, Observer } from '../observer/index.js';
import { DrillStore } from '../drill/index.js';
import { labTopology, NetworkFaults } from '../faults/index.js';
import type { ProxyStats } from '../proxy/index.js';
import { Deployment } from './deployment.js';
import { localProxy, localTarget } from './local.js';
import { profileOf } from './profile.js';

export interface OpenOptions {
  /** Time allowed for connecting and for each call of the observer. @default 1000 */
  timeoutMs: number;
  /** Subscribe to the sentinels' events. @default true */
  subscribe?: boolean;
}

/** What only the caller knows of a deployment quorum did not launch. */
export interface AttachOptions extends OpenOptions {
  /** What a healthy state looks like. @default {} (nothing expected) */
  expect?: Expectation;
  /** Where its drills are kept (`<dir>/drills`). @default none: no drills */
  drillsDir?: string;
}

/** For a supervisor that hosts the handle itself: its own observer, controller and proxy. */
export interface InProcess {
  observer: Observer;
  controller: NodeController;
  proxyStats: (() => Promise<ProxyStats | null>) | null;
}

/**
 * The local deployment in `dir` (started by `quorum up`): observed, controlled through its
 * supervisor's socket (or in process, for the supervisor itself), with its event log, drill
 * store and lab network.
 */
export function openLocal(dir: string, options: OpenOptions, inProcess?: InProcess): Deployment {
  const root = resolve(dir);
  const state = readState(root);
  if (!state)
    throw new UserError(
      `there is no quorum deployment in ${root}; start one with 'quorum up --dir ${dir}' or attach with --sentinel HOST:PORT --master-name NAME (a Redis Cluster: --cluster HOST:PORT)`,
    );
  const { spec } = state;
  const lab = labTopology(spec);
  const socket = state.supervisor?.socket;
  return new Deployment({
    name: spec.name,
    observer:
      inProcess?.observer ??
      new Observer(localTarget(state, root), {
        timeoutMs: options.timeoutMs,
        subscribe: options.subscribe ?? true,
      }),
    controller: inProcess?.controller ?? (socket ? controlClient(socket) : null),
    profile: localAccess(spec, root),
    expect: expectationOf(spec),
    dir: root,
    eventLog: new EventLog(join(root, 'events.jsonl')),
    drills: new DrillStore(root),
    network: lab ? new NetworkFaults(root, lab) : null,
    proxyStats: inProcess ? inProcess.proxyStats : () => localProxy(readState(root)),
    detectionMs: spec.mode === 'cluster' ? spec.nodeTimeoutMs : spec.downAfterMs,
  });
}

/** A deployment quorum did not launch: observed only, no supervisor, no event log of its own. */
export function attach(target: ObserveTarget, options: AttachOptions): Deployment {
  return new Deployment({
    name: target.name,
    observer: new Observer(target, {
      timeoutMs: options.timeoutMs,
      subscribe: options.subscribe ?? true,
    }),
    controller: null,
    profile: profileOf(target),
    expect: options.expect ?? {},
    dir: null,
    eventLog: null,
    drills: options.drillsDir !== undefined ? new DrillStore(resolve(options.drillsDir)) : null,
    network: null,
    proxyStats: null,
    detectionMs: null,
  });
}

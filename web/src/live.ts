import { useSyncExternalStore } from 'react';
import type { QuorumEvent } from '../../src/model/index.js';
import type { AlertsState, ClusterJob, PushMessage, Sample } from '../../src/server/contract.js';
import { forgetToken, login } from './api.js';
import type { LiveData } from './apply.js';
import { EMPTY_LIVE, apply, withJob, withSeed } from './apply.js';
import type { Connection, ConnectionEvent } from './connection.js';
import { NO_TOKEN, backoffMs, tokenOf, transition } from './connection.js';
import { Watchdog } from './watchdog.js';

/** How long the stream may take to open, as long as any other call. */
const STREAM_OPEN_TIMEOUT_MS = 10_000;
/** The server sends a heartbeat every 15 s: two missed, and the stream is taken for dead. */
const STREAM_SILENCE_MS = 35_000;

let data: LiveData = EMPTY_LIVE;
let connection: Connection = NO_TOKEN;
const listeners = new Set<() => void>();

function notify(): void {
  for (const listener of listeners) listener();
}

function setData(next: LiveData): void {
  data = next;
  notify();
}

/** The one place the connection changes: through `transition`, logged `from -> to`. */
function setConnection(event: ConnectionEvent): void {
  const next = transition(connection, event);
  if (next === connection) return;
  if (next.status !== connection.status)
    console.info(`quorum: connection ${connection.status} -> ${next.status}`);
  connection = next;
  notify();
}

/** Shows a job the server just started (its 202 answer) without waiting for the first push. */
export function noteClusterJob(deployment: string, job: ClusterJob): void {
  setData(withJob(data, deployment, job));
}

/** Seeds what the stream does not replay: past events and the charts' history. */
export function seed(
  deployment: string,
  events: QuorumEvent[],
  history: Record<string, Sample[]>,
): void {
  setData(withSeed(data, deployment, events, history));
}

/** Seeds the alerts: the stream pushes them only when one fires or resolves. */
export function seedAlerts(deployment: string, alerts: AlertsState): void {
  setData({ ...data, alerts: { ...data.alerts, [deployment]: alerts } });
}

let snapshots = 0;
const resyncListeners = new Set<() => void>();

/** Called after every snapshot but the first: what happened while the stream was down is missing. */
export function onResync(listener: () => void): () => void {
  resyncListeners.add(listener);
  return () => resyncListeners.delete(listener);
}

/** Every type the server pushes, as the stream's `event:` names; a new one fails to compile here. */
const PUSHED: Record<PushMessage['type'], true> = {
  snapshot: true,
  deployment: true,
  event: true,
  report: true,
  samples: true,
  drill: true,
  alerts: true,
  'cluster-job': true,
};

let source: EventSource | null = null;
let watchdog: Watchdog | null = null;
let retry: ReturnType<typeof setTimeout> | undefined;
/** Bumped by `start` and `stop`: answers and timers of an older run are ignored. */
let run = 0;

function closeStream(): void {
  source?.close();
  source = null;
  watchdog?.stop();
  watchdog = null;
  clearTimeout(retry);
}

/** Something broke: close what is open and try again after the backoff. */
function fail(current: number, error: string): void {
  closeStream();
  setConnection({ type: 'failed', error });
  const failures = 'failures' in connection ? connection.failures : 1;
  retry = setTimeout(() => void attempt(current), backoffMs(failures));
}

/** One try: trade the token for a session cookie, then open the stream it authenticates. */
async function attempt(current: number): Promise<void> {
  const token = tokenOf(connection);
  if (token === null) return;
  const result = await login(token);
  if (current !== run) return;
  switch (result.kind) {
    case 'refused':
      forgetToken();
      setConnection({ type: 'refused', error: result.error });
      return;
    case 'unreachable':
      fail(current, result.error);
      return;
    case 'session':
      setConnection({ type: 'logged-in', session: result.session });
      openStream(current);
      return;
  }
}

function openStream(current: number): void {
  const stream = new EventSource('/api/stream');
  source = stream;
  let opened = false;
  // EventSource has no timeout: one that never opens, or goes silent, is given up on here
  watchdog = new Watchdog(STREAM_OPEN_TIMEOUT_MS, () => {
    if (source === stream)
      fail(
        current,
        `the live stream did not open within ${String(STREAM_OPEN_TIMEOUT_MS / 1000)} s`,
      );
  });
  for (const type of ['hello', 'heartbeat'])
    stream.addEventListener(type, () => {
      if (source === stream) watchdog?.feed();
    });
  for (const type of Object.keys(PUSHED)) {
    stream.addEventListener(type, (e: MessageEvent<string>) => {
      if (source !== stream) return;
      watchdog?.feed();
      const message = JSON.parse(e.data) as PushMessage;
      setData(apply(data, message));
      if (message.type === 'snapshot' && snapshots++ > 0)
        for (const listener of resyncListeners) listener();
    });
  }
  stream.onopen = () => {
    if (source !== stream) return;
    opened = true;
    watchdog?.stop();
    watchdog = new Watchdog(STREAM_SILENCE_MS, () => {
      if (source === stream)
        fail(
          current,
          `the live stream went silent (no heartbeat for ${String(STREAM_SILENCE_MS / 1000)} s)`,
        );
    });
    setConnection({ type: 'opened' });
  };
  // EventSource would retry by itself, at the server's fixed interval and without logging in
  // again after a restart: close it, and retry here with a backoff
  stream.onerror = () => {
    if (source !== stream) return;
    fail(current, opened ? 'the live stream was cut' : 'the live stream could not be opened');
  };
}

/** Connects with `token` (from the printed URL or the login prompt), dropping any earlier try. */
export function start(token: string): void {
  stop();
  setConnection({ type: 'token', token });
  void attempt(run);
}

/** Closes the stream and cancels a pending retry. */
export function stop(): void {
  run++;
  closeStream();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** What the server pushed, reduced by `apply`: what the pages read. */
export function useLive(): LiveData {
  return useSyncExternalStore(subscribe, () => data);
}

/** The link to the server: the header's badge and the login prompt. */
export function useConnection(): Connection {
  return useSyncExternalStore(subscribe, () => connection);
}

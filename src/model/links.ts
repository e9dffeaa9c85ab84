import type { Addr } from './address.js';
import type { Moves } from './lifecycle.js';

/**
 * A command link's lifecycle. `connecting`: the first connection is being made, calls wait for
 * it. `ready`: calls are sent. `reconnecting`: a ready connection closed (Sentinel kills every
 * client of a node it reconfigures; a restart), a new one is being made at once and calls wait for
 * it. `down`: the last attempt failed (refused, timed out, wrong password); the link keeps trying
 * with backoff and calls fail at once with that attempt's reason. `closed`: closed by its owner.
 */
export const linkStates = ['connecting', 'ready', 'reconnecting', 'down', 'closed'] as const;
export type LinkState = (typeof linkStates)[number];

/**
 * A Pub/Sub link's lifecycle. `subscribing`: connecting and subscribing the first time. `live`:
 * the server acknowledged the subscription, messages arrive. `resubscribing`: the connection was
 * lost; messages published meanwhile are missed until it is back. `closed`: closed by its owner.
 */
export const subscriptionStates = ['subscribing', 'live', 'resubscribing', 'closed'] as const;
export type SubscriptionState = (typeof subscriptionStates)[number];

export const LINK_MOVES: Moves<LinkState> = {
  connecting: ['ready', 'down', 'closed'],
  ready: ['reconnecting', 'down', 'closed'],
  reconnecting: ['ready', 'down', 'closed'],
  down: ['ready', 'closed'],
  closed: [],
};

export const SUBSCRIPTION_MOVES: Moves<SubscriptionState> = {
  subscribing: ['live', 'closed'],
  live: ['resubscribing', 'closed'],
  resubscribing: ['live', 'closed'],
  closed: [],
};

/** What the observer uses a link for: commands to a sentinel, its event channels, or a data node. */
export type LinkPurpose = 'sentinel' | 'sentinel-events' | 'node';

/** One of the observer's links as people see it (`status --json`'s `links`, the dashboard). */
export interface LinkReport {
  addr: Addr;
  purpose: LinkPurpose;
  state: LinkState | SubscriptionState;
  /** When it entered `state` (ms since epoch). */
  sinceMs: number;
  /** Why the last attempt failed, one sentence; null while ready (or live). */
  lastError: string | null;
}

/** Ready for a command link, live for a subscription: working as it should. */
export function isLinkWorking(report: LinkReport): boolean {
  return report.state === 'ready' || report.state === 'live';
}

/**
 * A link people should hear about: it lost its connection, or an attempt failed. A first
 * connection still under way is not news, nor a link its owner closed.
 */
export function linkNeedsAttention(report: LinkReport): boolean {
  if (isLinkWorking(report) || report.state === 'closed') return false;
  return (
    report.lastError !== null || (report.state !== 'connecting' && report.state !== 'subscribing')
  );
}

const PURPOSE_LABELS: Record<LinkPurpose, string> = {
  sentinel: 'sentinel',
  'sentinel-events': 'sentinel events',
  node: 'node',
};

/** A time since, as people read it: `0.4 s`, `12 s`, `3 min`. */
function age(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  if (s < 10) return `${s.toFixed(1)} s`;
  if (s < 120) return `${Math.round(s)} s`;
  return `${Math.round(s / 60)} min`;
}

/**
 * One line about a link: `sentinel 127.0.0.1:26381: down (since 3.2 s): 127.0.0.1:26381 refused
 * the connection (nothing listens there)`. The CLI and the dashboard print the same.
 */
export function describeLink(report: LinkReport, nowMs: number): string {
  const head = `${PURPOSE_LABELS[report.purpose]} ${report.addr}: ${report.state} (since ${age(nowMs - report.sinceMs)})`;
  return report.lastError === null ? head : `${head}: ${report.lastError}`;
}

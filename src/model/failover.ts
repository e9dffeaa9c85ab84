import { clock, formatSeconds } from './format.js';
import type { QuorumEvent } from './event.js';

/** How far back a failover's first sign is looked for. */
const FAILOVER_LOOKBACK_MS = 5 * 60_000;

const STARTS = new Set(['+odown', '+try-failover']);
const CLUSTER_STARTS = new Set(['quorum:node-pfail', 'quorum:node-fail']);

/**
 * When the failover that ended with `switchEvent` began (pure): the first sentinel flagging the
 * master down (`+sdown master`), its `+odown`, or a manual `+try-failover`, whichever came first
 * after the previous `+switch-master`. For a cluster (`quorum:cluster-failover`): the first PFAIL
 * or FAIL flag on the old master. Null when the events kept do not reach back to it.
 */
export function failoverStartMs(
  events: readonly QuorumEvent[],
  switchEvent: QuorumEvent,
): number | null {
  const cluster = switchEvent.type === 'quorum:cluster-failover';
  const ends = cluster ? 'quorum:cluster-failover' : '+switch-master';
  let start: number | null = null;
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i];
    if (!event || event === switchEvent || event.ms > switchEvent.ms) continue;
    if (event.type === ends || switchEvent.ms - event.ms > FAILOVER_LOOKBACK_MS) break;
    // a cluster's first sign is a node flagging the old master PFAIL (or FAIL straight away)
    const sign = cluster
      ? CLUSTER_STARTS.has(event.type) && event.detail.addr === switchEvent.detail.from
      : (event.type === '+sdown' && event.subject?.type === 'master') || STARTS.has(event.type);
    if (sign) start = event.ms;
  }
  return start;
}

/** What told quorum when the old master was lost. */
export type DownBasis = 'exit' | 'stopped' | 'last-contact';

/**
 * A failover's times, each from the moment the old master was lost when quorum knows it: its
 * process exiting, quorum stopping, killing or freezing it, or else the last poll that reached
 * it. Detection is Sentinel's first `+sdown` (or a node's PFAIL); the new master is the
 * `+switch-master` (or the slots passing to a replica). A manual failover has no down time.
 */
export interface FailoverTiming {
  from: string | null;
  to: string | null;
  /** When the old master was lost, or null (a manual failover, or nothing kept reaches back). */
  downMs: number | null;
  downBasis: DownBasis | null;
  /** The first sign: `+sdown`/`+odown`/`+try-failover`, a PFAIL or FAIL flag; null when not kept. */
  detectedMs: number | null;
  switchedMs: number;
  /** No master was flagged down before it: asked for (`+try-failover`), not forced. */
  manual: boolean;
}

const LOST = new Set(['stop', 'kill', 'freeze']);
const BACK = new Set(['start', 'restart', 'thaw', 'start-empty-master']);

/** When `event` says the master at `addr` was lost, and how quorum knows it; null when it does not. */
function lossOf(event: QuorumEvent, addr: string): { ms: number; basis: DownBasis } | null {
  if (event.detail.addr !== addr) return null;
  if (event.type === 'quorum:process-exited') return { ms: event.ms, basis: 'exit' };
  const action = event.detail.action;
  if (event.type === 'quorum:action' && typeof action === 'string' && LOST.has(action))
    return { ms: event.ms, basis: 'stopped' };
  const seen = event.detail.lastSeenMs;
  if (event.type === 'quorum:node-down' && typeof seen === 'number')
    return { ms: seen, basis: 'last-contact' };
  return null;
}

/** The old master coming back (up again, or started or thawed by quorum): an earlier loss is over. */
function back(event: QuorumEvent, addr: string): boolean {
  if (event.detail.addr !== addr) return false;
  const action = event.detail.action;
  return (
    event.type === 'quorum:node-up' ||
    (event.type === 'quorum:action' && typeof action === 'string' && BACK.has(action))
  );
}

/**
 * The times of the failover that ended with `switchEvent` (pure; `events` oldest first). The loss
 * is looked for in the old master's last outage before the first sign: back to the previous
 * failover or to when it last came back. Its exit or quorum's action on it, the earliest, wins
 * over the last poll that reached it. A failover no master down forced has no loss.
 */
export function failoverTiming(
  events: readonly QuorumEvent[],
  switchEvent: QuorumEvent,
): FailoverTiming {
  const cluster = switchEvent.type === 'quorum:cluster-failover';
  const text = (v: unknown) => (typeof v === 'string' ? v : null);
  const from = cluster ? text(switchEvent.detail.from) : (switchEvent.switch?.from ?? null);
  const to = cluster ? text(switchEvent.detail.to) : (switchEvent.switch?.to ?? null);
  const detectedMs = failoverStartMs(events, switchEvent);
  const ends = cluster ? 'quorum:cluster-failover' : '+switch-master';
  const until = detectedMs ?? switchEvent.ms;
  let precise: { ms: number; basis: DownBasis } | null = null;
  let contact: { ms: number; basis: DownBasis } | null = null;
  let forced = false;
  let outage = true;
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i];
    if (!event || event === switchEvent || event.ms > switchEvent.ms) continue;
    if (event.type === ends || switchEvent.ms - event.ms > FAILOVER_LOOKBACK_MS) break;
    const flagged = cluster
      ? CLUSTER_STARTS.has(event.type) && event.detail.addr === from
      : (event.type === '+sdown' || event.type === '+odown') && event.subject?.type === 'master';
    if (flagged) forced = true;
    if (event.ms > until || from === null || !outage) continue;
    if (back(event, from)) {
      // the flags before this are of an earlier outage, but the scan goes on for them
      outage = false;
      continue;
    }
    const loss = lossOf(event, from);
    if (loss?.basis === 'last-contact') contact ??= loss;
    else if (loss) precise = loss;
  }
  const found = forced ? (precise ?? contact) : null;
  return {
    from,
    to,
    downMs: found?.ms ?? null,
    downBasis: found?.basis ?? null,
    detectedMs,
    switchedMs: switchEvent.ms,
    manual: !forced,
  };
}

/** A failover's two durations from the loss of the old master (pure; null where not known). */
export function failoverDurations(t: FailoverTiming): {
  detectedAfterMs: number | null;
  newMasterAfterMs: number | null;
} {
  return {
    detectedAfterMs: t.downMs !== null && t.detectedMs !== null ? t.detectedMs - t.downMs : null,
    newMasterAfterMs: t.downMs !== null ? t.switchedMs - t.downMs : null,
  };
}

/** The last failover as metrics give it: when, how long the outage lasted, how long detection took. */
export interface LastFailover {
  atMs: number;
  /** From the loss of the old master (or the first sign when not known) to the new master. */
  durationMs: number | null;
  /** From the loss of the old master to the first sign; null when either is not known. */
  detectionMs: number | null;
}

export function lastFailoverOf(t: FailoverTiming): LastFailover {
  const { detectedAfterMs, newMasterAfterMs } = failoverDurations(t);
  const fromSign = t.detectedMs === null ? null : t.switchedMs - t.detectedMs;
  return {
    atMs: t.switchedMs,
    durationMs: newMasterAfterMs ?? fromSign,
    detectionMs: detectedAfterMs,
  };
}

const LOSS: Record<DownBasis, string> = {
  exit: 'its process exited',
  stopped: 'stopped by quorum',
  'last-contact': 'last reached',
};

/**
 * One line for a failover's times (pure): "down at 05:52:53.120 (its process exited), detected
 * after 5.00 s, new master after 6.02 s"; a manual one says it was asked for.
 */
export function describeFailover(t: FailoverTiming): string {
  const after = (ms: number) => formatSeconds(ms);
  if (t.manual)
    return t.detectedMs === null
      ? `new master at ${clock(t.switchedMs)}; no master was flagged down before it (asked for, or the signs were not seen)`
      : `asked for at ${clock(t.detectedMs)}, new master after ${after(t.switchedMs - t.detectedMs)}`;
  const parts: string[] = [];
  if (t.downMs !== null && t.downBasis !== null) {
    parts.push(`down at ${clock(t.downMs)} (${LOSS[t.downBasis]})`);
    if (t.detectedMs !== null) parts.push(`detected after ${after(t.detectedMs - t.downMs)}`);
    parts.push(`new master after ${after(t.switchedMs - t.downMs)}`);
  } else if (t.detectedMs !== null) {
    parts.push(`detected at ${clock(t.detectedMs)} (when it went down is not known)`);
    parts.push(`new master after ${after(t.switchedMs - t.detectedMs)}`);
  } else parts.push(`new master at ${clock(t.switchedMs)}`);
  return parts.join(', ');
}

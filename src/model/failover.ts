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

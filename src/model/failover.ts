import type { QuorumEvent } from './event.js';

/** How far back a failover's first sign is looked for. */
export const FAILOVER_LOOKBACK_MS = 5 * 60_000;

const STARTS = new Set(['+odown', '+try-failover']);

/**
 * When the failover that ended with `switchEvent` began (pure): the first sentinel flagging the
 * master down (`+sdown master`), its `+odown`, or a manual `+try-failover`, whichever came first
 * after the previous `+switch-master`. Null when the events kept do not reach back to it.
 */
export function failoverStartMs(
  events: readonly QuorumEvent[],
  switchEvent: QuorumEvent,
): number | null {
  let start: number | null = null;
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i];
    if (!event || event === switchEvent || event.ms > switchEvent.ms) continue;
    if (event.type === '+switch-master' || switchEvent.ms - event.ms > FAILOVER_LOOKBACK_MS) break;
    const masterDown = event.type === '+sdown' && event.subject?.type === 'master';
    if (masterDown || STARTS.has(event.type)) start = event.ms;
  }
  return start;
}

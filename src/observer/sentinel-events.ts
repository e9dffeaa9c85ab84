import type { Addr, EventReport, QuorumEvent } from '../model/index.js';
import { EventDeduplicator, eventKey, parseSentinelEvent } from '../model/index.js';

/** Events after which the observer polls at once instead of waiting for the next tick. */
const URGENT_EVENTS = new Set([
  '+switch-master',
  '+odown',
  '+sdown',
  '-sdown',
  '+role-change',
  '+convert-to-slave',
  '+tilt',
  '-tilt',
]);

let sequence = 0;

/** A unique, time-ordered event id. */
export function eventId(ms: number): string {
  sequence = (sequence + 1) % 1_000_000;
  return `${ms.toString(36)}-${sequence.toString(36)}-${Math.floor(Math.random() * 1296).toString(36)}`;
}

/** What one sentinel message means: a new event, or one more report of an event already seen. */
export type Received = (
  { kind: 'new'; event: QuorumEvent } | { kind: 'report'; id: string; report: EventReport }
) & {
  /** After this the model is most wrong: poll now, not in a second. */
  urgent: boolean;
};

/**
 * Turns the messages of every sentinel into events of one deployment, merging the same event
 * reported by several sentinels within the window.
 */
export class SentinelEvents {
  private readonly dedup: EventDeduplicator<QuorumEvent>;

  constructor(
    private readonly target: { name: string; masterName: string },
    windowMs: number,
  ) {
    this.dedup = new EventDeduplicator(windowMs);
  }

  /** Null for a message that is no event, or is about another master. */
  receive(sentinel: Addr, channel: string, message: string): Received | null {
    const parsed = parseSentinelEvent(channel, message);
    if (!parsed) return null;
    const masterName = parsed.switch?.masterName ?? parsed.subject?.masterName ?? null;
    if (masterName !== null && masterName !== this.target.masterName) return null;
    const ms = Date.now();
    const result = this.dedup.observe(
      eventKey(parsed.type, parsed.message),
      sentinel,
      ms,
      () => ({
        id: eventId(ms),
        ms,
        deployment: this.target.name,
        type: parsed.type,
        source: 'sentinel',
        message: parsed.message,
        subject: parsed.subject,
        switch: parsed.switch,
        reports: [{ by: sentinel, ms }],
        detail: {},
      }),
      (event) => event.reports.push({ by: sentinel, ms }),
    );
    // every sentinel's +switch-master counts as urgent, since each one moves the agreement
    // closer to the new master
    const urgent = URGENT_EVENTS.has(parsed.type);
    return result.kind === 'new'
      ? { kind: 'new', event: result.item, urgent }
      : { kind: 'report', id: result.item.id, report: { by: sentinel, ms }, urgent };
  }
}

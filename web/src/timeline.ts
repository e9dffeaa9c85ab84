import type { QuorumEvent } from '../../src/model/index.js';

/** The milestones of a failover, in the order Sentinel goes through them. */
export const MILESTONES = [
  '+sdown',
  '+odown',
  '+elected-leader',
  '+promoted-slave',
  '+switch-master',
] as const;

export interface FailoverGroup {
  kind: 'group';
  id: string;
  /** failover: ended with +switch-master; aborted: -failover-abort-*; recovered: the master came back; open: under way */
  outcome: 'failover' | 'aborted' | 'recovered' | 'open';
  startMs: number;
  /** start to +switch-master (or to the end), ms */
  durationMs: number | null;
  from: string | null;
  to: string | null;
  /** Milestone -> ms after the start. */
  milestones: Partial<Record<(typeof MILESTONES)[number], number>>;
  events: QuorumEvent[];
}

export type TimelineItem = { kind: 'event'; event: QuorumEvent } | FailoverGroup;

/** A group that saw none of its closing events in this long is closed as it stands. */
export const GROUP_WINDOW_MS = 120_000;

function opens(e: QuorumEvent): boolean {
  if (e.source !== 'sentinel') return false;
  if (e.type === '+sdown' || e.type === '+odown') return e.subject?.type === 'master';
  return e.type === '+try-failover';
}

function closes(e: QuorumEvent, group: FailoverGroup): FailoverGroup['outcome'] | null {
  if (e.type === '+failover-end' || e.type === '+failover-end-for-timeout')
    return group.to ? 'failover' : 'aborted';
  if (e.type.startsWith('-failover-abort')) return 'aborted';
  if (
    e.type === '-sdown' &&
    e.subject?.type === 'master' &&
    group.milestones['+elected-leader'] === undefined &&
    !group.to
  )
    return 'recovered';
  return null;
}

/**
 * Groups the sentinel events of one failover (sdown -> odown -> elected -> promoted ->
 * switch-master) into one item with its duration; every other event stays on its own (pure).
 * Input and output are oldest first.
 */
export function groupTimeline(events: readonly QuorumEvent[]): TimelineItem[] {
  const items: TimelineItem[] = [];
  let open: FailoverGroup | null = null;
  for (const e of [...events].sort((a, b) => a.ms - b.ms)) {
    if (open && e.ms - open.startMs > GROUP_WINDOW_MS) open = null;
    if (!open && opens(e)) {
      open = {
        kind: 'group',
        id: `failover-${e.id}`,
        outcome: 'open',
        startMs: e.ms,
        durationMs: null,
        from: e.subject?.addr ?? null,
        to: null,
        milestones: {},
        events: [],
      };
      items.push(open);
    }
    if (!open || e.source !== 'sentinel') {
      items.push({ kind: 'event', event: e });
      continue;
    }
    open.events.push(e);
    const milestone = MILESTONES.find((m) => m === e.type);
    if (milestone && open.milestones[milestone] === undefined)
      open.milestones[milestone] = e.ms - open.startMs;
    if (e.type === '+switch-master' && e.switch) {
      open.from = e.switch.from;
      open.to = e.switch.to;
      open.outcome = 'failover';
      open.durationMs = e.ms - open.startMs;
    }
    const outcome = closes(e, open);
    if (outcome) {
      open.outcome = outcome;
      open.durationMs ??= e.ms - open.startMs;
      open = null;
    }
  }
  return items;
}

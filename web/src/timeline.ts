import type { FailoverTiming } from '../../src/model/failover.js';
import { describeFailover, failoverTiming } from '../../src/model/failover.js';
import type { QuorumEvent } from '../../src/model/index.js';

/** The milestones of a failover, in the order Sentinel goes through them. */
export const MILESTONES = [
  '+sdown',
  '+odown',
  '+elected-leader',
  '+promoted-slave',
  '+switch-master',
] as const;

/** A cluster failover's milestones, as quorum derives them from the nodes' views. */
export const CLUSTER_MILESTONES = [
  'quorum:node-pfail',
  'quorum:node-fail',
  'quorum:cluster-failover',
] as const;

export type Milestone = (typeof MILESTONES)[number] | (typeof CLUSTER_MILESTONES)[number];

export interface FailoverGroup {
  kind: 'group';
  id: string;
  /** A Redis Cluster shard's failover (quorum's events), not Sentinel's. */
  cluster: boolean;
  /** failover: ended with +switch-master; aborted: -failover-abort-*; recovered: the master came back; open: under way */
  outcome: 'failover' | 'aborted' | 'recovered' | 'open';
  /** When the old master was lost when known (see `timing`), else the first sign. */
  startMs: number;
  /** start to +switch-master (or to the end), ms; null for a manual failover with no start */
  durationMs: number | null;
  /** The failover's times once it has ended with a new master. */
  timing: FailoverTiming | null;
  from: string | null;
  to: string | null;
  /** Milestone -> ms after the start. */
  milestones: Partial<Record<Milestone, number>>;
  events: QuorumEvent[];
}

export type TimelineItem = { kind: 'event'; event: QuorumEvent } | FailoverGroup;

/**
 * Starts a group that ended with a new master at the loss of the old one when quorum knows it (a
 * fault, the process exiting, the last contact), so its duration is the outage and its milestones
 * count from there; a manual failover with no first sign has no duration.
 */
function timed(group: FailoverGroup, timing: FailoverTiming): void {
  group.timing = timing;
  const start = timing.downMs ?? timing.detectedMs;
  if (start === null) {
    group.durationMs = null;
    return;
  }
  const shift = group.startMs - start;
  if (shift > 0)
    for (const m of Object.keys(group.milestones) as Milestone[])
      group.milestones[m] = (group.milestones[m] ?? 0) + shift;
  group.startMs = Math.min(group.startMs, start);
  group.durationMs = timing.switchedMs - group.startMs;
}

/** The words after a group's names: its times, or how long it has run (pure). */
export function groupTimes(g: FailoverGroup): string {
  if (g.timing) return describeFailover(g.timing);
  return g.durationMs === null ? '' : `in ${(g.durationMs / 1000).toFixed(2)} s`;
}

/** A group that saw none of its closing events in this long is closed as it stands. */
const GROUP_WINDOW_MS = 120_000;

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

const CLUSTER_SIGNS = new Set(['quorum:node-pfail', 'quorum:node-fail']);
/** The cluster state turning ok again lands in the same poll as the failover, or just after. */
const CLUSTER_SETTLE_MS = 2000;

/**
 * Cluster failovers: each `quorum:cluster-failover` with the PFAIL/FAIL flags on the old master
 * and the cluster-state changes before it (since the previous failover, within the window), as
 * the server times them (src/model/failover.ts). Returns the groups by the id of each member.
 */
function clusterGroups(sorted: readonly QuorumEvent[]): Map<string, FailoverGroup> {
  const byMember = new Map<string, FailoverGroup>();
  let previousEnd = -Infinity;
  sorted.forEach((f, at) => {
    if (f.type !== 'quorum:cluster-failover') return;
    const from = typeof f.detail.from === 'string' ? f.detail.from : null;
    const to = typeof f.detail.to === 'string' ? f.detail.to : null;
    const since = Math.max(previousEnd, f.ms - GROUP_WINDOW_MS);
    previousEnd = f.ms;
    const before = sorted
      .slice(0, at)
      .filter((e) => e.ms > since && !byMember.has(e.id))
      .filter((e) => CLUSTER_SIGNS.has(e.type) && e.detail.addr === from);
    const startMs = before[0]?.ms ?? f.ms;
    const members = sorted.filter(
      (e) =>
        e === f ||
        before.includes(e) ||
        (e.type === 'quorum:cluster-state' &&
          !byMember.has(e.id) &&
          e.ms >= startMs &&
          (e.ms <= f.ms || (e.ms <= f.ms + CLUSTER_SETTLE_MS && e.detail.to === 'ok'))),
    );
    const group: FailoverGroup = {
      kind: 'group',
      id: `cluster-failover-${f.id}`,
      cluster: true,
      outcome: 'failover',
      startMs,
      durationMs: f.ms - startMs,
      timing: null,
      from,
      to,
      milestones: {},
      events: members,
    };
    for (const e of members) {
      const milestone = CLUSTER_MILESTONES.find((m) => m === e.type);
      if (milestone && group.milestones[milestone] === undefined)
        group.milestones[milestone] = e.ms - startMs;
      byMember.set(e.id, group);
    }
    timed(group, failoverTiming(sorted, f));
  });
  return byMember;
}

/**
 * Groups the sentinel events of one failover (sdown -> odown -> elected -> promoted ->
 * switch-master) into one item with its duration, and likewise a cluster shard's failover (PFAIL
 * -> FAIL -> cluster-failover); every other event stays on its own (pure). Input and output are
 * oldest first.
 */
export function groupTimeline(events: readonly QuorumEvent[]): TimelineItem[] {
  const items: TimelineItem[] = [];
  let open: FailoverGroup | null = null;
  const sorted = [...events].sort((a, b) => a.ms - b.ms);
  const cluster = clusterGroups(sorted);
  const placed = new Set<FailoverGroup>();
  for (const e of sorted) {
    const group = cluster.get(e.id);
    if (group) {
      if (!placed.has(group)) items.push(group);
      placed.add(group);
      continue;
    }
    if (open && e.ms - open.startMs > GROUP_WINDOW_MS) open = null;
    if (!open && opens(e)) {
      open = {
        kind: 'group',
        id: `failover-${e.id}`,
        cluster: false,
        outcome: 'open',
        startMs: e.ms,
        durationMs: null,
        timing: null,
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
      timed(open, failoverTiming(sorted, e));
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

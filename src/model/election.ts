import type { Addr } from './address.js';
import type { QuorumEvent } from './event.js';
import type { SentinelTopology } from './topology.js';

/** Sentinel gives up an election after this long at most (SENTINEL_ELECTION_TIMEOUT). */
const ELECTION_TIMEOUT_MS = 10_000;

/**
 * A failover attempt that no sentinel won: each asked for votes at once and voted for itself, so
 * none had a majority. Sentinel tries again only 2 x failover-timeout after the attempt began.
 */
export interface LostElection {
  /** The master the sentinels failed to replace. */
  master: Addr;
  /** When the first sentinel gave up (`-failover-abort-not-elected`), ms since epoch. */
  abortedAtMs: number;
  /** The sentinels that gave up. */
  by: Addr[];
  /** When a sentinel may try again, ms since epoch (up to 1 s later: Sentinel adds a random delay). */
  nextAttemptAtMs: number;
}

/** How long after an attempt begins a sentinel that lost it gives up (pure). */
export function electionTimeoutMs(failoverTimeoutMs: number): number {
  return Math.min(ELECTION_TIMEOUT_MS, failoverTimeoutMs);
}

/** The events after which the last lost election no longer stands. */
const SETTLED = new Set(['+try-failover', '+elected-leader', '+switch-master', '-odown']);

/**
 * The election lost last, when nothing has happened since that ends it (a new attempt, a new
 * master, or the master back); null otherwise. Events in the order they happened (pure).
 */
export function lostElection(
  events: readonly QuorumEvent[],
  failoverTimeoutMs: number,
): LostElection | null {
  let lost: LostElection | null = null;
  let triedAtMs: number | null = null;
  for (const event of events) {
    if (event.type === '+try-failover') triedAtMs = event.ms;
    if (event.type === '-failover-abort-not-elected' && event.subject) {
      const began = triedAtMs ?? event.ms - electionTimeoutMs(failoverTimeoutMs);
      lost = {
        master: event.subject.addr,
        abortedAtMs: event.ms,
        by: event.reports.map((r) => r.by),
        nextAttemptAtMs: began + 2 * failoverTimeoutMs,
      };
      continue;
    }
    if (lost && SETTLED.has(event.type) && event.ms > lost.abortedAtMs) lost = null;
  }
  return lost;
}

/** One sentence on a lost election, with the time to the next attempt from `nowMs` (pure). */
export function describeLostElection(lost: LostElection, nowMs: number): string {
  const wait = Math.max(0, Math.ceil((lost.nextAttemptAtMs - nowMs) / 1000));
  const next = wait > 0 ? `next attempt in ${wait} s` : 'the next attempt is due now';
  return `the sentinels lost the election to replace ${lost.master} (-failover-abort-not-elected: each voted for itself); ${next} (2 x failover-timeout after the last one); 'quorum failover' forces one now`;
}

/**
 * Whether the sentinels can still fail `master` over by themselves: some sentinel flags it
 * o_down or is failing it over, a majority of sentinels is up to elect a leader, and some
 * replica is up to promote (pure).
 */
export function failoverPending(topology: SentinelTopology, master: Addr): boolean {
  const flagged = topology.sentinels.some(
    (s) =>
      s.up &&
      s.masterAddr === master &&
      (s.masterFlags.includes('o_down') || s.masterFlags.includes('failover_in_progress')),
  );
  return flagged && canFailOver(topology, master);
}

/**
 * Whether the sentinels could fail `master` over at all: a majority of them is up to elect a
 * leader, and some replica is up to promote (pure).
 */
export function canFailOver(topology: SentinelTopology, master: Addr): boolean {
  const up = topology.sentinels.filter((s) => s.up).length;
  const majority = Math.floor(Math.max(topology.agreement.total, up) / 2) + 1;
  const promotable = topology.nodes.some((n) => n.addr !== master && n.up && n.role === 'replica');
  return up >= majority && promotable;
}

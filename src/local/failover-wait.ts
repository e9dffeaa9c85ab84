import type { LostElection, QuorumEvent, SentinelTopology, Topology } from '../model/index.js';
import {
  assertNever,
  canFailOver,
  describeLostElection,
  electionTimeoutMs,
  failoverPending,
  lostElection,
  UserError,
} from '../model/index.js';
import type { SupervisorHost } from './host.js';
import type { SupervisedProcess } from './process.js';

/** How long after down-after a failover has surely started, if it can (Sentinel: 1 to 2.5 s). */
const FAILOVER_MARGIN_MS = 5_000;
/** How often a wait says where it stands (which also keeps the control connection alive). */
const PROGRESS_EVERY_MS = 5_000;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The deployment's events from `sinceMs` on: the stored log read once, then the bus. */
class EventWindow {
  private readonly events: QuorumEvent[];
  private readonly stop: () => void;

  constructor(host: SupervisorHost, sinceMs: number) {
    this.events = host.events().filter((e) => e.ms >= sinceMs);
    const seen = new Set(this.events.map((e) => e.id));
    const onEvent = (event: QuorumEvent) => {
      if (!seen.has(event.id)) this.events.push(event);
    };
    host.observer.bus.on('event', onEvent);
    this.stop = () => host.observer.bus.off('event', onEvent);
  }

  all(): readonly QuorumEvent[] {
    return this.events;
  }

  close(): void {
    this.stop();
  }
}

function stopping(host: SupervisorHost, addr: string): void {
  if (host.state() === 'stopping' || host.state() === 'stopped')
    throw new UserError(`not starting ${addr}: the deployment is stopping`);
}

/** When the sentinels last began a failover of `addr` (`+try-failover`), or null. */
function lastTry(events: readonly QuorumEvent[], addr: string): number | null {
  return events.findLast((e) => e.type === '+try-failover' && e.subject?.addr === addr)?.ms ?? null;
}

/** A sentinel is failing the master over right now. */
function inProgress(topology: SentinelTopology, addr: string): boolean {
  return topology.sentinels.some(
    (s) => s.up && s.masterAddr === addr && s.masterFlags.includes('failover_in_progress'),
  );
}

/**
 * When a wait for the sentinels gives up (pure): never earlier than before, later for a lost
 * election (until its retry has had its election timeout) or a failover under way (until its
 * failover-timeout), and never after the cap.
 */
export function extendDeadline(
  deadlineMs: number,
  at: {
    nowMs: number;
    capMs: number;
    failoverTimeoutMs: number;
    lost: LostElection | null;
    inProgress: boolean;
    /** The sentinels' last `+try-failover` of this master: an attempt seen in the events, even
     * when no poll caught its brief failover_in_progress flag. */
    triedAtMs: number | null;
  },
): number {
  let next = deadlineMs;
  if (at.lost)
    next = Math.max(
      next,
      at.lost.nextAttemptAtMs + electionTimeoutMs(at.failoverTimeoutMs) + FAILOVER_MARGIN_MS,
    );
  if (at.inProgress) next = Math.max(next, at.nowMs + at.failoverTimeoutMs + FAILOVER_MARGIN_MS);
  if (at.triedAtMs !== null)
    next = Math.max(next, at.triedAtMs + at.failoverTimeoutMs + FAILOVER_MARGIN_MS);
  return Math.max(deadlineMs, Math.min(next, at.capMs));
}

/**
 * Waits while the sentinels still name `addr`, the old master, and can still replace it: some
 * sentinel flags it o_down or is failing it over (a lost election is retried 2 x
 * failover-timeout after it began), or they agree on no master while some still name it. After a crash it also
 * waits down-after plus a margin, for the sentinels to notice. Returns once they agree on
 * another master, or when no failover can happen (too few sentinels, no replica): then the node
 * may start as the master it still is. Gives up, without starting it, when a failover stays
 * pending past Sentinel's retries; a shutdown ends the wait.
 */
async function waitForSentinels(
  host: SupervisorHost,
  addr: string,
  endedAt: number,
  crashed: boolean,
  progress: (line: string) => void,
): Promise<void> {
  if (host.spec.mode !== 'sentinel') return;
  const { downAfterMs, failoverTimeoutMs } = host.spec;
  const noticed = crashed ? endedAt + downAfterMs + FAILOVER_MARGIN_MS : endedAt;
  const attempt = 2 * failoverTimeoutMs + electionTimeoutMs(failoverTimeoutMs);
  // a start asked again later gets the whole window again; at most two more attempts in all
  const from = Math.max(noticed, Date.now());
  const cap = from + 2 * attempt + FAILOVER_MARGIN_MS;
  let deadline = from + attempt;
  let saidAt = Date.now();
  const events = new EventWindow(host, endedAt);
  try {
    for (;;) {
      stopping(host, addr);
      const topology: Topology = await host.observer.fresh();
      if (topology.kind !== 'sentinel') return;
      const master = topology.agreement.master;
      if (master !== null && master !== addr) return;
      // with no agreement, only a node some sentinel still names as master has to wait
      if (master === null && !topology.sentinels.some((s) => s.up && s.masterAddr === addr)) return;
      const now = Date.now();
      // sentinels that agree on no master may be in the middle of a switch, if they can make one
      const pending =
        failoverPending(topology, addr) || (master === null && canFailOver(topology, addr));
      if (!pending && now >= noticed) return;
      const lost = lostElection(events.all(), failoverTimeoutMs);
      deadline = extendDeadline(deadline, {
        nowMs: now,
        capMs: cap,
        failoverTimeoutMs,
        lost,
        inProgress: inProgress(topology, addr),
        triedAtMs: lastTry(events.all(), addr),
      });
      const waited = Math.round((now - endedAt) / 1000);
      const why =
        master === null
          ? 'the sentinels agree on no master'
          : `the sentinels still name it, flagged ${inProgress(topology, addr) ? 'failover_in_progress' : 'o_down'}, with no new master`;
      if (now >= deadline) {
        throw new UserError(
          `not starting ${addr}: ${waited} s after it went down ${why}, and started now it would be a master again with only its last saved data; run 'quorum failover' to force a failover, then start it`,
        );
      }
      if (now - saidAt >= PROGRESS_EVERY_MS) {
        saidAt = now;
        progress(
          lost
            ? `waiting: ${describeLostElection(lost, now)}`
            : pending
              ? `waiting: ${why.replace('the sentinels still name it', `the sentinels still name ${addr}`)}; they can still replace it (${waited} s since it went down)`
              : `waiting: down-after (${downAfterMs} ms) and a margin, for the sentinels to notice ${addr} is down (${waited} s since it went down)`,
        );
      }
      await sleep(250);
    }
  } finally {
    events.close();
  }
}

/** A cluster master that owns slots keeps them until a replica is elected (node timeout). */
async function waitForClusterFailover(
  host: SupervisorHost,
  addr: string,
  crashedAt: number,
  nodeTimeoutMs: number,
  progress: (line: string) => void,
): Promise<void> {
  const owns = (t: Topology) =>
    t.kind === 'cluster' &&
    t.cluster.shards.some((s) => s.master === addr && s.slotCount > 0 && s.replicas.length > 0);
  const until = crashedAt + nodeTimeoutMs * 2 + FAILOVER_MARGIN_MS;
  let saidAt = Date.now();
  while (Date.now() < until && owns(await host.observer.fresh())) {
    stopping(host, addr);
    if (Date.now() - saidAt >= PROGRESS_EVERY_MS) {
      saidAt = Date.now();
      progress(`waiting: the cluster still names ${addr} the master of its slots`);
    }
    await sleep(250);
  }
}

/**
 * A master that crashed comes back with whatever its last RDB holds; started as a master while
 * the sentinels still name it, its replicas would resync from it and lose every newer write.
 * So wait until the sentinels have failed over, or until no failover can happen any more.
 */
export async function waitForFailoverOf(
  host: SupervisorHost,
  proc: SupervisedProcess,
  progress: (line: string) => void,
): Promise<void> {
  const addr = host.table.addrOf(proc);
  const hasReplicas = host.table.ofKind('redis').some((p) => p !== proc);
  if (!hasReplicas) return;
  const { spec } = host;
  const crashedAt = proc.crashedAtMs;
  switch (spec.mode) {
    case 'cluster':
      if (crashedAt !== null)
        await waitForClusterFailover(host, addr, crashedAt, spec.nodeTimeoutMs, progress);
      return;
    case 'sentinel':
      return waitForSentinels(
        host,
        addr,
        crashedAt ?? proc.endedAtMs ?? Date.now(),
        crashedAt !== null,
        progress,
      );
    default:
      return assertNever(spec);
  }
}

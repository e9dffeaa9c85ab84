import type { Addr, ClusterState, ClusterView } from '../model/index.js';
import { SLOT_COUNT } from '../model/index.js';
import { failoverBoundMs } from '../model/deviation.js';
import type { LossReport } from './checker.js';
import { longestGap, lossViolations } from './checker.js';
import type { WriteRecord } from './ledger.js';
import type { ClusterFacts, NodeAcks, Scenario, ShardAccount } from './types.js';

/** Each slot's master address (null: no owner) as a cluster state says (pure). */
export function slotMasters(cluster: ClusterState): (Addr | null)[] {
  const owners = new Array<Addr | null>(SLOT_COUNT).fill(null);
  for (const shard of cluster.shards)
    for (const [a, b] of shard.slots) for (let s = a; s <= b; s++) owners[s] = shard.master;
  return owners;
}

/**
 * The replica (one of `replicaIds`) that some node already names as the master of `slot`, or
 * null (pure). The promoted replica claims its master's slots when it wins the election, and the
 * others learn it from gossip: the earliest view to show it is when the shard got a new master,
 * as the earliest +switch-master across sentinels is for Sentinel.
 */
export function promotedIn(
  views: readonly ClusterView[],
  slot: number,
  replicaIds: ReadonlySet<string>,
): Addr | null {
  for (const v of views) {
    if (!v.up) continue;
    const owner = v.entries.find(
      (e) => e.role === 'master' && e.slots.some(([a, b]) => slot >= a && slot <= b),
    );
    if (owner && replicaIds.has(owner.id)) return owner.addr;
  }
  return null;
}

/** Slots whose master changed between two maps (a failover, a reshard) (pure). */
export function changedSlots(before: (Addr | null)[], after: (Addr | null)[]): Set<number> {
  const changed = new Set<number>();
  for (let s = 0; s < SLOT_COUNT; s++)
    if ((before[s] ?? null) !== (after[s] ?? null)) changed.add(s);
  return changed;
}

/** An event as the cluster checks need it: quorum:cluster-state carries `detail.to`. */
export interface StateEvent {
  type: string;
  ms: number;
  detail: Record<string, string | number | boolean | null>;
}

/**
 * How long after the fault some node said cluster_state:fail, in total, from the observer's
 * quorum:cluster-state events; a fail not ended by `endMs` counts until then (pure).
 */
export function clusterFailSpan(
  events: readonly StateEvent[],
  faultAtMs: number,
  endMs: number,
): { totalMs: number; fromMs: number | null } {
  let since: number | null = null;
  let first: number | null = null;
  let total = 0;
  for (const e of events) {
    if (e.type !== 'quorum:cluster-state' || e.ms < faultAtMs || e.ms > endMs) continue;
    if (e.detail.to === 'fail' && since === null) {
      since = e.ms;
      first ??= e.ms;
    } else if (e.detail.to === 'ok' && since !== null) {
      total += e.ms - since;
      since = null;
    }
  }
  if (since !== null) total += endMs - since;
  return { totalMs: total, fromMs: first === null ? null : first - faultAtMs };
}

/** The longest window in [faultAtMs, endMs] without an acknowledged write among `writes` (pure). */
export function unavailableMs(
  writes: readonly WriteRecord[],
  faultAtMs: number,
  endMs: number,
): number {
  return longestGap(
    writes.filter((w) => w.outcome === 'ack').map((w) => w.endMs),
    faultAtMs,
    endMs,
  );
}

/** Each shard's writes, lost ones and availability, by the master it had at the start (pure). */
export function shardAccounts(
  writes: readonly WriteRecord[],
  present: ReadonlySet<string>,
  before: (Addr | null)[],
  after: (Addr | null)[],
  faultAtMs: number,
  endMs: number,
): ShardAccount[] {
  const shards = new Map<
    Addr,
    { account: ShardAccount; writes: WriteRecord[]; owners: Map<Addr | null, number> }
  >();
  for (let s = 0; s < SLOT_COUNT; s++) {
    const master = before[s];
    if (!master) continue;
    const entry = shards.get(master) ?? {
      account: {
        shard: master,
        masterAfter: null,
        slots: 0,
        attempted: 0,
        acknowledged: 0,
        failed: 0,
        indeterminate: 0,
        ackedLost: 0,
        writeUnavailableMs: 0,
      },
      writes: [],
      owners: new Map<Addr | null, number>(),
    };
    entry.account.slots++;
    const owner = after[s] ?? null;
    entry.owners.set(owner, (entry.owners.get(owner) ?? 0) + 1);
    shards.set(master, entry);
  }
  for (const w of writes) {
    const master = w.slot === undefined ? null : before[w.slot];
    const entry = master ? shards.get(master) : undefined;
    if (!entry) continue;
    const a = entry.account;
    entry.writes.push(w);
    a.attempted++;
    if (w.outcome === 'ack') {
      a.acknowledged++;
      if (!present.has(w.value)) a.ackedLost++;
    } else if (w.outcome === 'fail') a.failed++;
    else a.indeterminate++;
  }
  return [...shards.values()].map(({ account, writes: mine, owners }) => ({
    ...account,
    masterAfter: [...owners.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null,
    writeUnavailableMs: unavailableMs(mine, faultAtMs, endMs),
  }));
}

/** Whether the run had the safe preset's protection this scenario's loss bound depends on. */
export function clusterSafe(facts: Pick<ClusterFacts, 'appendonly'>): boolean {
  return facts.appendonly === true;
}

/**
 * The loss bound for a cluster run: its bound with AOF on, else the scenario's span of the
 * shard's writes (each shard gets an equal share of the rate), else its fixed bound (pure).
 */
export function clusterLossBound(
  scenario: Scenario,
  facts: Pick<ClusterFacts, 'appendonly' | 'nodeTimeoutMs' | 'shards'>,
  ratePerS: number,
): number | null {
  const bound = scenario.maxAckedLostSafe;
  if (clusterSafe(facts) && bound !== undefined)
    return typeof bound === 'function' ? bound(ratePerS) : bound;
  if (scenario.lossWindowMs) {
    const shardRate = ratePerS / Math.max(1, facts.shards.length);
    return Math.ceil((shardRate * scenario.lossWindowMs(facts.nodeTimeoutMs)) / 1000);
  }
  return scenario.maxAckedLost;
}

/** The writes `node` acknowledged that ended at or after `fromMs`, and how many were lost (pure). */
export function ackedBy(
  writes: readonly WriteRecord[],
  present: ReadonlySet<string>,
  node: Addr,
  fromMs: number,
): NodeAcks {
  let acknowledged = 0;
  let lost = 0;
  for (const w of writes) {
    if (w.outcome !== 'ack' || w.node !== node || w.endMs < fromMs) continue;
    acknowledged++;
    if (!present.has(w.value)) lost++;
  }
  return { acknowledged, lost };
}

/**
 * Writers that follow MOVED and ASK should not pause during a reshard for longer than this, beyond
 * the pause writes to the keys that did not move had in the same run: a stall every key shares (a
 * starved machine, the drill's own process held up) is not the reshard's doing.
 */
const RESHARD_PAUSE_MS = 1000;

/** What a cluster run is checked on. */
export interface ClusterRunView extends Pick<
  LossReport,
  'ackedLost' | 'lateAckedLost' | 'indeterminateLost' | 'failedPresent'
> {
  /** When a replica of the shard took over its slots, ms after the fault; null when none did. */
  promotedMs: number | null;
  replicasConverged: boolean;
  writeUnavailableMs: number;
  cluster: ClusterFacts;
}

/** Where a cluster run differs from what Redis Cluster should do, one sentence each (pure). */
export function clusterViolations(
  scenario: Scenario,
  run: ClusterRunView,
  ratePerS: number,
): string[] {
  const found: string[] = [];
  const facts = run.cluster;
  if (scenario.expectFailover && run.promotedMs === null)
    found.push('no failover happened, though one was expected');
  if (!scenario.expectFailover && run.promotedMs !== null)
    found.push(
      `a failover happened, though none was expected (${scenario.noFailoverBecause ?? ''})`,
    );
  found.push(
    // no cluster scenario excuses a missing unanswered write
    ...lossViolations(clusterLossBound(scenario, facts, ratePerS), run),
  );
  if (!run.replicasConverged) found.push('the replicas did not converge on their masters');
  if (run.failedPresent > 0)
    found.push(`${run.failedPresent} writes reported as failed are present`);
  const limit = failoverBoundMs(facts.nodeTimeoutMs);
  if (scenario.expectFailover && run.promotedMs !== null && run.promotedMs > limit)
    found.push(
      `the failover took ${run.promotedMs} ms, more than 1.5 x node-timeout + 3 s (${limit} ms)`,
    );
  if (scenario.clusterDown === true && facts.fullCoverage !== false && facts.clusterFailMs === 0)
    found.push(
      'the cluster never said cluster_state:fail, though a shard had no master (cluster-require-full-coverage yes)',
    );
  if (scenario.clusterDown === false && facts.clusterFailMs > 0)
    found.push(`some node said cluster_state:fail for ${facts.clusterFailMs} ms`);
  if (facts.reshard !== null) {
    if (facts.reshard.slotsMoved === 0) found.push('the reshard moved no slot');
    const baseline = facts.otherShardsUnavailableMs;
    if (run.writeUnavailableMs - baseline > RESHARD_PAUSE_MS)
      found.push(
        `writes to the moved slots stopped for ${run.writeUnavailableMs} ms, ${run.writeUnavailableMs - baseline} ms longer than writes to the other keys (${baseline} ms); clients that follow MOVED and ASK should not pause`,
      );
  }
  return found;
}

import type { Addr, ClusterState, Expectation, QuorumEvent, Topology } from '../model/index.js';
import { clusterOf, UserError } from '../model/index.js';
import type { FaultContext, FaultFacts, NetworkFaults } from '../faults/index.js';
import { victimShard } from '../faults/index.js';
import type { NodeController } from '../local/index.js';
import { netnsName } from '../local/index.js';
import type { Observer } from '../observer/index.js';
import { RedisLink } from '../redis/index.js';
import { availability, checkWrites, writeSeries, writesByNode } from './checker.js';
import type { ClusterFacts } from './cluster-checker.js';
import {
  ackedBy,
  changedSlots,
  clusterFailSpan,
  clusterViolations,
  promotedIn,
  shardAccounts,
  slotMasters,
  unavailableMs,
} from './cluster-checker.js';
import type { Bucket } from './cluster-workload.js';
import {
  BUCKET_COUNT,
  ClusterWorkload,
  drillBuckets,
  dropKeys,
  readBackClient,
  readSets,
} from './cluster-workload.js';
import { NetnsWorkload } from './netns-workload.js';
import type { DrillRun, LiveRun } from './runner.js';
import { waitHealthy, waitHealthyAfterHeal } from './runner.js';
import { healFault, liveTicker, markedEvents } from './run-steps.js';
import type { Scenario } from './scenarios.js';
import { interrupted, isAborted, pause, sleep, waitFor } from './timing.js';

export interface ClusterRunOptions {
  scenario: Scenario;
  observer: Observer;
  /** The local supervisor; null for an attached cluster (faults that need no process only). */
  controller: NodeController | null;
  /** Writes a `quorum:` event to the deployment's timeline. */
  record: (type: string, message: string, detail: Record<string, string>) => Promise<void>;
  expect: Expectation;
  workload: { writers: number; rate: number; readers: number; timeoutMs: number };
  password: string | null;
  /** `cluster-node-timeout`, when the nodes refuse CONFIG GET. */
  nodeTimeoutMs: number;
  /** Called about twice a second while the run goes on. */
  onLive?: (live: LiveRun) => void;
  progress: (line: string) => void;
  /** Aborted by Ctrl-C: heal and stop. */
  signal: AbortSignal;
  /** The lab's network faults; null on loopback or for an attached cluster. */
  network: NetworkFaults | null;
}

/** quorum's own cluster events the report marks on its chart. */
const MARKED = new Set([
  'quorum:node-pfail',
  'quorum:node-fail',
  'quorum:cluster-failover',
  'quorum:slots-moved',
  'quorum:cluster-state',
  'quorum:node-fail-cleared',
]);

const WARMUP_MS = 1500;
const HEALTHY_TIMEOUT_MS = 60_000;
/** How long a drill waits for a healthy cluster before it refuses to start. */
const SETTLE_TIMEOUT_MS = 10_000;
/** Once the cluster stopped serving, how long the fault stays, so the chart shows it. */
const HOLD_DOWN_MS = 3000;

/** Some CONFIG values of one node; a refused CONFIG (renamed, ACL) leaves them out. */
async function configOf(
  addr: Addr,
  password: string | null,
  names: string[],
): Promise<Record<string, string>> {
  const link = new RedisLink(addr, { timeoutMs: 3000, password, connectionName: 'quorum-drill' });
  const values: Record<string, string> = {};
  try {
    for (const name of names) {
      const reply = await link.call('CONFIG', 'GET', name).catch(() => null);
      if (Array.isArray(reply) && typeof reply[1] === 'string') values[name] = reply[1];
    }
    return values;
  } finally {
    await link.close();
  }
}

function flag(value: string | undefined): boolean | null {
  return value === undefined ? null : value === 'yes';
}

function masters(cluster: ClusterState): Addr[] {
  return cluster.shards.flatMap((s) => (s.master && s.slotCount > 0 ? [s.master] : []));
}

/** Whether every replica holds as many of the drill's values as its master (waits up to 10 s). */
async function replicasConverged(
  cluster: ClusterState,
  buckets: Bucket[],
  password: string | null,
  signal: AbortSignal,
): Promise<boolean> {
  const owners = slotMasters(cluster);
  const link = (addr: Addr) =>
    new RedisLink(addr, { timeoutMs: 5000, password, connectionName: 'quorum-drill' });
  const count = async (l: RedisLink, keys: string[], replica: boolean): Promise<number> => {
    // a replica answers reads for its master's slots only after READONLY (else MOVED)
    if (replica) await l.call('READONLY');
    const sizes = await Promise.all(keys.map((k) => l.call('SCARD', k)));
    return sizes.reduce<number>((sum, n) => sum + (typeof n === 'number' ? n : 0), 0);
  };
  for (const shard of cluster.shards) {
    if (!shard.master) continue;
    const keys = buckets.filter((b) => owners[b.slot] === shard.master).map((b) => b.key);
    if (keys.length === 0) continue;
    const m = link(shard.master);
    try {
      const want = await count(m, keys, false);
      for (const r of shard.replicas) {
        if (!r.addr || r.failed) continue;
        const l = link(r.addr);
        try {
          const ok = await waitFor(10_000, signal, async () =>
            (await count(l, keys, true).catch(() => -1)) === want ? true : undefined,
          );
          if (!ok) return false;
        } finally {
          await l.close();
        }
      }
    } finally {
      await m.close();
    }
  }
  return true;
}

function firstAfter(
  events: QuorumEvent[],
  type: string,
  faultAtMs: number,
  match: (e: QuorumEvent) => boolean,
): QuorumEvent | null {
  return events.find((e) => e.type === type && e.ms >= faultAtMs && match(e)) ?? null;
}

/**
 * Runs one cluster scenario: writers through a cluster client over every shard, the fault, the
 * timings from quorum's cluster events, heal, and the read-back of every value through the
 * cluster. The cluster must be healthy before, and is healthy again after (or the run throws).
 */
export async function runClusterScenario(options: ClusterRunOptions): Promise<DrillRun> {
  const { scenario, observer, controller, signal, password, network } = options;
  if (scenario.fault.needsLab === true && !network) {
    throw new UserError(
      `the scenario ${scenario.name} cuts the network between processes, which needs a lab deployment: start one with 'quorum up --mode cluster --network lab'`,
      2,
    );
  }
  if (scenario.fault.needsProcesses && !controller) {
    throw new UserError(
      `the scenario ${scenario.name} acts on processes, which only a local deployment's supervisor can do`,
      2,
    );
  }
  const before = await waitHealthy(observer, options.expect, SETTLE_TIMEOUT_MS, signal);
  if (before.kind !== 'cluster')
    throw new UserError(
      `${scenario.name} is a drill for a Redis Cluster; '${before.name}' is not one`,
      2,
    );
  const victim = victimShard(before.cluster);
  const firstSlot = victim?.slots[0]?.[0] ?? 0;
  const config = victim?.master
    ? await configOf(victim.master, password, [
        'cluster-node-timeout',
        'appendonly',
        'cluster-require-full-coverage',
        'min-replicas-to-write',
      ])
    : {};
  const nodeTimeoutMs = Number(config['cluster-node-timeout']) || options.nodeTimeoutMs;
  const ownersBefore = slotMasters(before.cluster);
  const seeds = masters(before.cluster);
  const buckets = drillBuckets(
    `quorum:drill:${Date.now().toString(36)}`,
    BUCKET_COUNT,
    (slot) => ownersBefore[slot] ?? null,
  );
  const workloadOptions = { seeds, password, ...options.workload, buckets };
  // on a lab the writers sit on the side of the partition the scenario puts them on
  const writersIn = network && scenario.writersIn ? scenario.writersIn : null;
  const workload =
    network && writersIn
      ? new NetnsWorkload(netnsName(network.lab.plan, writersIn), {
          kind: 'cluster',
          options: workloadOptions,
        })
      : new ClusterWorkload(workloadOptions);
  const processes = controller ? await controller.processes() : [];
  let faultAtMs = 0;
  const events: QuorumEvent[] = [];
  const onEvent = (e: QuorumEvent) => events.push(e);
  const replicaIds = new Set(victim?.replicas.map((r) => r.id) ?? []);
  let promotedMs: number | null = null;
  // every observation, the runner's own and the observer's polls, reaches this through the bus
  const onTopology = (t: Topology) => {
    if (faultAtMs === 0 || promotedMs !== null || t.kind !== 'cluster') return;
    if (promotedIn(t.cluster.views, firstSlot, replicaIds) !== null) promotedMs = t.observedAtMs;
  };
  observer.bus.on('event', onEvent);
  observer.bus.on('topology', onTopology);
  const facts: FaultFacts = {};
  let injected = '';
  let healed = '';
  let endMs = 0;
  let healAtMs = 0;
  let healError: string | null = null;
  const startedAtMs = Date.now();
  let phase: LiveRun['phase'] = 'warming up';
  const ctx: FaultContext = {
    controller,
    before,
    processes,
    network,
    masterName: before.name,
    sentinelPassword: null,
    password,
    downAfterMs: nodeTimeoutMs,
    tookEffect: () => {
      if (faultAtMs !== 0) return;
      faultAtMs = Date.now();
      phase = 'fault injected';
    },
    observe: () => observer.fresh(),
    note: (more) => Object.assign(facts, more),
    progress: (line) => options.progress(`${scenario.name}: ${line}`),
    signal,
  };
  const stopLive = liveTicker(options.onLive, {
    startedAtMs,
    writes: workload.ledger.writes,
    events,
    marks: MARKED,
    now: () => ({ phase, faultAtMs }),
  });
  const shardAddr = () => facts.shard ?? victim?.master ?? null;
  try {
    try {
      await workload.start();
      await pause(WARMUP_MS, signal);
      if (signal.aborted) throw interrupted();
      options.progress(`${scenario.name}: injecting (${scenario.description})`);
      injected = await scenario.fault.inject(ctx);
      if (faultAtMs === 0) faultAtMs = Date.now();
      phase = 'fault injected';
      await options.record('quorum:fault-injected', `drill ${scenario.name}: ${injected}`, {
        scenario: scenario.name,
      });
      const hold = scenario.holdMs?.(nodeTimeoutMs);
      if (hold !== undefined) {
        // a held fault (a partition) stays its time whatever happens: the old master may still
        // claim its slots on its side, so the cluster is not waited on
        await pause(Math.max(0, faultAtMs + hold - Date.now()), signal);
      } else if (scenario.expectFailover) {
        // FAIL needs a majority of masters within 2 x node-timeout, then the replica's election
        await waitFor(2 * nodeTimeoutMs + 20_000, signal, async () => {
          const c = clusterOf(await observer.fresh());
          const owner = c ? (slotMasters(c)[firstSlot] ?? null) : null;
          return owner !== null && owner !== shardAddr() && c?.state === 'ok' ? true : undefined;
        });
      } else if (scenario.clusterDown === true) {
        const down = await waitFor(2 * nodeTimeoutMs + 10_000, signal, async () =>
          clusterOf(await observer.fresh())?.state === 'fail' ? true : undefined,
        );
        if (down) await pause(HOLD_DOWN_MS, signal);
      } else {
        // a planned change: watch a little longer for anything it set off
        await pause(1000, signal);
      }
      options.progress(`${scenario.name}: healing`);
    } finally {
      phase = 'healing';
      healAtMs = Date.now();
      ({ healed, error: healError } = await healFault(scenario, ctx, options));
    }
    let after: Topology;
    try {
      // healed, so wait for health even when interrupted: the drill leaves it as it found it
      after = await waitHealthyAfterHeal(
        observer,
        options.expect,
        HEALTHY_TIMEOUT_MS + 2 * nodeTimeoutMs,
        healError,
      );
      await sleep(1000);
    } finally {
      endMs = Date.now();
      phase = 'checking';
      await workload.stop();
    }
    if (after.kind !== 'cluster')
      throw new UserError(
        `after healing, '${after.name}' no longer looked like a Redis Cluster, so the drill cannot read its writes back; check it with quorum status`,
      );
    const keys = buckets.map((b) => b.key);
    const client = readBackClient(masters(after.cluster), password);
    let present: Set<string>;
    let converged: boolean;
    try {
      present = await readSets(client, keys);
      converged = await replicasConverged(after.cluster, buckets, password, signal);
      await dropKeys(client, keys);
    } finally {
      client.disconnect();
    }
    // an interrupted run measured only part of what it should: it is not a result
    if (isAborted(signal)) throw interrupted();
    const { writes, reads } = workload.ledger;
    const ownersAfter = slotMasters(after.cluster);
    const changed = changedSlots(ownersBefore, ownersAfter);
    const shardSlots = new Set<number>();
    for (const [a, b] of victim?.slots ?? []) for (let s = a; s <= b; s++) shardSlots.add(s);
    // the figures are about the slots that changed owner (a failover, a reshard), else the shard's
    const affected = changed.size > 0 ? changed : shardSlots;
    const inAffected = (w: { slot?: number }) => w.slot !== undefined && affected.has(w.slot);
    const mine = affected.size > 0 ? writes.filter(inAffected) : writes;
    const oldMaster = shardAddr();
    const failoverEvent = firstAfter(
      events,
      'quorum:cluster-failover',
      faultAtMs,
      (e) => e.detail.from === oldMaster,
    );
    // the first node to name the new master, else quorum's event (when the slot map most nodes
    // share changed)
    const seen = [promotedMs, failoverEvent?.ms ?? null].filter((t): t is number => t !== null);
    const switchAt = seen.length > 0 ? Math.min(...seen) : null;
    const span = clusterFailSpan(events, faultAtMs, endMs);
    const cluster: ClusterFacts = {
      nodeTimeoutMs,
      shard: oldMaster,
      slots: affected.size,
      otherShardsUnavailableMs: unavailableMs(
        writes.filter((w) => !inAffected(w)),
        faultAtMs,
        endMs,
      ),
      clusterFailMs: span.totalMs,
      clusterFailFromMs: span.fromMs,
      shards: shardAccounts(writes, present, ownersBefore, ownersAfter, faultAtMs, endMs),
      reshard: facts.reshard ?? null,
      appendonly: flag(config.appendonly),
      fullCoverage: flag(config['cluster-require-full-coverage']),
      oldMasterAfterFault: oldMaster ? ackedBy(writes, present, oldMaster, faultAtMs) : null,
    };
    const onShard = (e: QuorumEvent) => e.detail.addr === oldMaster;
    const at = (e: QuorumEvent | null) => (e ? e.ms - faultAtMs : null);
    const minReplicas = config['min-replicas-to-write'];
    const run: DrillRun = {
      faultAtMs,
      sdownMs: at(firstAfter(events, 'quorum:node-pfail', faultAtMs, onShard)),
      odownMs: at(firstAfter(events, 'quorum:node-fail', faultAtMs, onShard)),
      switchMasterMs: switchAt === null ? null : switchAt - faultAtMs,
      ...availability(mine, reads, faultAtMs, endMs),
      replicasFollowMs: null,
      oldMaster,
      newMaster: switchAt === null ? oldMaster : (ownersAfter[firstSlot] ?? null),
      failover: switchAt !== null,
      replicasConverged: converged,
      twoMastersMs: 0,
      minReplicasToWrite: minReplicas === undefined ? null : Number(minReplicas),
      via: 'cluster',
      ...checkWrites(writes, present),
      violations: [],
      injected,
      healed,
      series: writeSeries(writes, faultAtMs, startedAtMs, endMs),
      events: markedEvents(events, MARKED, startedAtMs, faultAtMs),
      byNode: writesByNode(writes, present),
      writersIn,
      healMs: faultAtMs === 0 ? null : healAtMs - faultAtMs,
      cluster,
    };
    run.violations = clusterViolations(scenario, { ...run, cluster }, options.workload.rate);
    return run;
  } finally {
    await workload.stop();
    stopLive();
    observer.bus.off('event', onEvent);
    observer.bus.off('topology', onTopology);
  }
}

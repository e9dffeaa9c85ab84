import { ClusterLinks, fixOpenSlots, reshard } from '../cluster/index.js';
import type { Addr, ClusterState, Shard } from '../model/index.js';
import { UserError } from '../model/index.js';
import type { ProcessInfo } from '../local/index.js';
import type { Fault, FaultContext } from './fault.js';
import { act, startEverything } from './fault.js';
import { MAJORITY_SIDE_CLIENT, MASTER_SIDE_CLIENT, partitionBy } from './partitions.js';

/** The shard cluster faults hit: the one that owns slot 0 (the first in slot order). */
export function victimShard(cluster: ClusterState | null): Shard | null {
  return cluster?.shards.find((s) => s.slotCount > 0 && s.master !== null) ?? null;
}

function clusterOf(ctx: FaultContext): ClusterState {
  if (ctx.before.kind !== 'cluster')
    throw new UserError(
      `this fault acts on a Redis Cluster and '${ctx.before.name}' is not one; run it against a deployment started with 'quorum up --mode cluster'`,
      2,
    );
  return ctx.before.cluster;
}

function processAt(ctx: FaultContext, addr: Addr | null): ProcessInfo {
  const proc = ctx.processes.find((p) => p.addr === addr);
  if (!proc)
    throw new UserError(
      `${addr ?? 'the master (it has no address)'} is not a process quorum runs here, so the drill cannot stop or start it; process faults hit the shard owning slot 0, so its master must be one quorum started`,
    );
  return proc;
}

/** The shard's master and its replicas, as the drill found them. */
function shardProcesses(ctx: FaultContext): { master: ProcessInfo; replicas: ProcessInfo[] } {
  const shard = victimShard(clusterOf(ctx));
  if (!shard)
    throw new UserError(
      'no master owns slots in this cluster, so there is no shard to break; give the masters slots first (quorum cluster check says what is wrong)',
    );
  return {
    master: processAt(ctx, shard.master),
    replicas: shard.replicas.flatMap((r) => ctx.processes.filter((p) => p.addr === r.addr)),
  };
}

/** SIGKILL the master of one shard (the one owning slot 0), as a crash. */
export const killShardMaster: Fault = {
  needsProcesses: true,
  async inject(ctx) {
    const { master } = shardProcesses(ctx);
    ctx.note?.({ shard: master.addr });
    return act(ctx, 'kill', master.name);
  },
  heal: startEverything,
};

/**
 * SIGKILL a whole shard: its replicas first (so none can be promoted), then its master. The fault
 * counts from the master's death.
 */
export const killShard: Fault = {
  needsProcesses: true,
  async inject(ctx) {
    const { master, replicas } = shardProcesses(ctx);
    ctx.note?.({ shard: master.addr });
    const done: string[] = [];
    for (const r of replicas) done.push(await act(ctx, 'kill', r.name));
    done.push(await act(ctx, 'kill', master.name));
    ctx.tookEffect();
    return done.join('; ');
  },
  /**
   * The master first: its replicas, started before it, would only wait for it; then anything
   * else not running. The supervisor holds the master back until the cluster could have failed
   * it over (2 x node-timeout), as Redis clears a master's FAIL flag only after that.
   */
  async heal(ctx) {
    const { master } = shardProcesses(ctx);
    const first = await act(ctx, 'start', master.name);
    const rest = await startEverything(ctx);
    return rest === 'nothing to heal' ? first : `${first}; ${rest}`;
  },
};

/**
 * A lab partition: the master of one shard (the one owning slot 0) with the writers (client-1) on
 * one side, every other node (and client-2) on the other. It counts from the first rules: the
 * writes the old master acknowledged after the cut are the ones the drill reports.
 */
export const partitionShardMaster: Fault = partitionBy((ctx) => {
  const { master } = shardProcesses(ctx);
  ctx.note?.({ shard: master.addr });
  const others = ctx.processes
    .filter((p) => p.kind === 'redis' && p.name !== master.name)
    .map((p) => p.name);
  return [
    [master.name, MASTER_SIDE_CLIENT],
    [...others, MAJORITY_SIDE_CLIENT],
  ];
}, true);

/** How often a reshard under way says where it is, in slots. */
const RESHARD_PROGRESS_EVERY = 250;

/**
 * Moves `slots` slots, keys and all, from the master with the most slots to the one with the
 * fewest (so runs one after the other even the shards out again), with quorum's reshard: slot by
 * slot, MIGRATING/IMPORTING, MIGRATE, SETSLOT NODE on every master. Heal closes a slot an
 * interrupted move left open.
 */
export function reshardUnderLoad(slots: number): Fault {
  return {
    needsProcesses: false,
    async inject(ctx) {
      const cluster = clusterOf(ctx);
      const owning = cluster.shards
        .filter((s) => s.master !== null && s.slotCount > 0)
        .sort((a, b) => b.slotCount - a.slotCount);
      const from = owning[0]?.master;
      const to = owning[owning.length - 1]?.master;
      if (!from || !to || from === to)
        throw new UserError(
          `a reshard drill moves slots between two masters with slots and this cluster has ${owning.length}; add a master and give it slots (quorum cluster add-node, then quorum cluster rebalance --use-empty-masters)`,
        );
      const seeds = owning.flatMap((s) => (s.master ? [s.master] : []));
      ctx.note?.({ shard: from });
      const links = new ClusterLinks(ctx.access);
      try {
        ctx.tookEffect();
        const result = await reshard(links, seeds, {
          from,
          to,
          slots: Math.min(slots, owning[0]?.slotCount ?? 0),
          signal: ctx.signal,
          progress: (p) => {
            if (p.slotsDone % RESHARD_PROGRESS_EVERY === 0)
              ctx.progress?.(`${p.slotsDone} of ${p.slotsTotal} slots moved (${p.keysMoved} keys)`);
          },
        });
        ctx.note?.({ reshard: result });
        return `moved ${result.slotsMoved} slots (${result.keysMoved} keys) from ${result.from} to ${result.to} in ${(result.ms / 1000).toFixed(2)} s`;
      } finally {
        await links.close();
      }
    },
    async heal(ctx) {
      const links = new ClusterLinks(ctx.access);
      try {
        const fixed = await fixOpenSlots(
          links,
          ctx.before.nodes.map((n) => n.addr),
        );
        return fixed.length > 0 ? fixed.join('; ') : 'nothing to heal: no slot was left open';
      } finally {
        await links.close();
      }
    },
  };
}

import type { Addr, ClusterState } from '../model/index.js';
import { clusterFailover, rebalance, reshard, resolveClusterNode } from '../cluster/index.js';
import type { MoveProgress } from '../cluster/index.js';
import type { ClusterAccess, Deployment, JobStep, StepContext } from '../deployment/index.js';
import { addNodeSteps, removeClusterNode } from '../deployment/index.js';
import { ActionError } from './actions.js';
import type { ClusterActionRequest, ClusterJob } from './contract.js';

/** Progress is pushed at most this often; the end always is. */
const PUSH_EVERY_MS = 250;

/** Who the supervisor's event log names for a node started or stopped from here. */
const ACTOR = 'dashboard';

/** What the steps tell the desk: progress worth a push, a node the supervisor started. */
export interface StepHooks {
  emit: () => void;
  started: (node: { name: string; addr: Addr }) => void;
}

/**
 * The steps of one cluster action, with the same services as `quorum cluster ...`; each resolves
 * to the sentence that ends the job. Slot moves update `job`'s counts and push at most every
 * PUSH_EVERY_MS.
 */
export function clusterSteps(
  source: Deployment,
  request: ClusterActionRequest,
  job: ClusterJob,
  access: ClusterAccess,
  hooks: StepHooks,
): JobStep[] {
  const { links, seeds, names } = access;
  let lastPush = 0;
  const slotsMoved =
    (report: StepContext['report']) =>
    (p: MoveProgress, extra = '') => {
      job.done = p.slotsDone;
      job.total = Math.max(job.total, p.slotsTotal);
      job.keysMoved = p.keysMoved;
      job.message = `${p.slotsDone}/${p.slotsTotal} slots, ${p.keysMoved} keys moved${extra}`;
      report({ fraction: p.slotsTotal > 0 ? p.slotsDone / p.slotsTotal : 0, message: job.message });
      if (Date.now() - lastPush < PUSH_EVERY_MS) return;
      lastPush = Date.now();
      hooks.emit();
    };
  switch (request.action) {
    case 'cluster-failover':
      return [
        {
          name: 'failover',
          run: async () => {
            const r = await clusterFailover(links, seeds, request.node, {
              mode: request.mode,
              names,
            });
            return `${r.replica} replaced ${r.oldMaster} as master in ${(r.ms / 1000).toFixed(1)} s`;
          },
        },
      ];
    case 'reshard':
      return [
        {
          name: 'move slots',
          run: async ({ signal, report }) => {
            const r = await reshard(links, seeds, {
              from: request.from,
              to: request.to,
              slots: request.slots,
              names,
              progress: slotsMoved(report),
              signal,
            });
            return `moved ${r.slotsMoved} slots and ${r.keysMoved} keys from ${r.from} to ${r.to} in ${(r.ms / 1000).toFixed(1)} s`;
          },
        },
      ];
    case 'rebalance':
      return [
        {
          name: 'rebalance',
          run: async ({ signal, report }) => {
            const r = await rebalance(links, seeds, {
              useEmptyMasters: request.useEmptyMasters,
              progress: (p) => slotsMoved(report)(p, ` (${p.from} -> ${p.to})`),
              signal,
            });
            const slots = r.moves.reduce((sum, m) => sum + m.slots, 0);
            return r.moves.length === 0
              ? 'the slots were already balanced; nothing moved'
              : `moved ${slots} slots and ${r.keysMoved} keys in ${r.moves.length} moves in ${(r.ms / 1000).toFixed(1)} s`;
          },
        },
      ];
    case 'add-node':
      return addNodeSteps(access, {
        addr: null,
        host: source.controller,
        replicaOf: request.replicaOf,
        actor: ACTOR,
        started: hooks.started,
      }).steps;
    case 'del-node':
      return [
        {
          name: 'remove node',
          run: async () => {
            const r = await removeClusterNode(access, request.node, source.controller, ACTOR);
            source.observer.forget(r.addr);
            const reset = r.resetError
              ? `; CLUSTER RESET on it failed (${r.resetError})`
              : ', CLUSTER RESET on it';
            return `${r.addr} left the cluster (CLUSTER FORGET on every node${reset})${r.stopped ? `; ${r.stopped}` : ''}`;
          },
        },
      ];
  }
}

/** One sentence for what was asked, with node references resolved (a 400 when one is unknown). */
export function describe(
  request: ClusterActionRequest,
  cluster: ClusterState,
  names: Map<string, Addr>,
): string {
  const addr = (text: string) => {
    try {
      return resolveClusterNode(cluster, text, names).addr;
    } catch (err) {
      throw new ActionError(err instanceof Error ? err.message : String(err), 400);
    }
  };
  switch (request.action) {
    case 'cluster-failover':
      return `promote ${addr(request.node)} (CLUSTER FAILOVER${request.mode === 'default' ? '' : ` ${request.mode.toUpperCase()}`})`;
    case 'reshard':
      return `move ${request.slots} slots from ${addr(request.from)} to ${addr(request.to)}`;
    case 'rebalance':
      return `rebalance the slots${request.useEmptyMasters ? ', empty masters included' : ''}`;
    case 'add-node': {
      const of = request.replicaOf ? addr(request.replicaOf) : null;
      // checked before a process starts, so a typo leaves no stray node behind
      if (of && !cluster.shards.some((shard) => shard.master === of))
        throw new ActionError(`${of} is not a master; a new node can only replicate a master`, 400);
      return `start a new node and join it${of ? ` as a replica of ${of}` : ' as an empty master'}`;
    }
    case 'del-node':
      return `remove ${addr(request.node)} from the cluster`;
  }
}

import { UserError } from '../model/index.js';
import type { Fault, FaultContext } from './fault.js';
import { masterProcess, sentinelProcesses } from './fault.js';
import type { NetworkFaults } from './network.js';

/** The drills' partitions: which processes end up on which side, worked out per deployment. */

function networkOf(ctx: FaultContext): NetworkFaults {
  if (!ctx.network)
    throw new UserError(
      "this fault cuts the network between processes, which needs a lab deployment: start one with 'quorum up --network lab'",
      2,
    );
  return ctx.network;
}

/**
 * A partition whose groups are worked out from the deployment as the drill found it. With
 * `fromFirstRule`, it counts from when the rules start to go in rather than once every namespace
 * has them (8 to 11 namespaces, about 0.2 s): the members cut come first, so the first rules
 * already cut them.
 */
export function partitionBy(
  groupsOf: (ctx: FaultContext) => string[][],
  fromFirstRule = false,
): Fault {
  return {
    needsProcesses: true,
    needsLab: true,
    inject(ctx) {
      const groups = groupsOf(ctx);
      if (fromFirstRule) ctx.tookEffect();
      const said = networkOf(ctx).inject({ kind: 'partition', groups }, true);
      ctx.tookEffect();
      return Promise.resolve(said);
    },
    heal(ctx) {
      return Promise.resolve(networkOf(ctx).heal());
    },
  };
}

/** The client namespaces drills put their writers in: client-1 by the master, client-2 away. */
export const MASTER_SIDE_CLIENT = 'client-1';
export const MAJORITY_SIDE_CLIENT = 'client-2';

/**
 * The Jepsen case: the master, a minority of the sentinels and the writers (client-1) on one
 * side; the replicas and the majority of the sentinels on the other.
 */
export const partitionMinorityMaster: Fault = partitionBy((ctx) => {
  const master = masterProcess(ctx).name;
  const sentinels = sentinelProcesses(ctx).map((s) => s.name);
  const minority = Math.floor((sentinels.length - 1) / 2);
  const others = ctx.processes
    .filter((p) => p.kind === 'redis' && p.name !== master)
    .map((p) => p.name);
  return [
    [master, ...sentinels.slice(0, minority), MASTER_SIDE_CLIENT],
    [...others, ...sentinels.slice(minority), MAJORITY_SIDE_CLIENT],
  ];
});

/** Every sentinel cut from every other; each still sees the data nodes. */
export const partitionSentinels: Fault = partitionBy((ctx) =>
  sentinelProcesses(ctx).map((s) => [s.name]),
);

/** The master with the writers (client-1) cut from everything else. */
export const isolateMaster: Fault = partitionBy((ctx) => {
  const master = masterProcess(ctx).name;
  return [
    [master, MASTER_SIDE_CLIENT],
    [...ctx.processes.filter((p) => p.name !== master).map((p) => p.name), MAJORITY_SIDE_CLIENT],
  ];
});

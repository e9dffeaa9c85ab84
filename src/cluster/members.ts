import type { Addr, ClusterState, ClusterView } from '../model/index.js';
import { clusterState, UserError } from '../model/index.js';
import type { ClusterLinks } from './links.js';

/**
 * The cluster as its members see it (`state`, which leaves out every node the cluster does not
 * know), and the views of the seeds and nodes read that are not members (`outsiders`).
 */
export interface ClusterReading {
  state: ClusterState;
  outsiders: ClusterView[];
}

/** Reads the cluster from the seeds; fails with one sentence when no seed is a cluster node. */
export async function readCluster(links: ClusterLinks, seeds: Addr[]): Promise<ClusterReading> {
  const views = await links.views(seeds);
  if (!views.some((v) => v.up)) {
    const reasons = [...new Set(views.map((v) => v.downReason ?? `${v.addr} is down`))];
    throw new UserError(`no cluster node answers: ${reasons.join('; ')}`);
  }
  const state = clusterState(views);
  if (state.reference === null)
    throw new UserError(
      `no node reports a slot map (${state.views.map((v) => v.addr).join(', ')}); is this a Redis Cluster?`,
    );
  const outsiders = new Set(state.outsiders);
  return { state, outsiders: views.filter((v) => outsiders.has(v.addr)) };
}

/** The reference view's entry of a node, by id. */
export function entryOf(state: ClusterState, id: string) {
  const reference = state.views.find((v) => v.addr === state.reference);
  return reference?.entries.find((e) => e.id === id) ?? null;
}

/**
 * The masters worth telling about a slot's new owner: every master in the reference view with an
 * address, slots or not, except those flagged failing or whose own view is down (gossip tells
 * them once they are back; waiting on them would cost a timeout per slot).
 */
export function answeringMasters(state: ClusterState): Set<Addr> {
  const up = new Set(state.views.filter((v) => v.up).map((v) => v.addr));
  return new Set(
    state.shards.flatMap((s) =>
      s.master && !s.masterFailed && up.has(s.master) ? [s.master] : [],
    ),
  );
}

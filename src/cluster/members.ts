import type { Addr, ClusterState, ClusterView } from '../model/index.js';
import { clusterState, UserError } from '../model/index.js';
import type { ClusterLinks } from './links.js';

/**
 * Splits the nodes read from the seeds into the cluster's members and outsiders (pure). A seed
 * the cluster does not know (a node removed with del-node, a fresh node not yet added, a wrong
 * address) is an outsider: it would otherwise count as a node that disagrees on every slot.
 */
export function splitMembers(views: ClusterView[]): {
  members: ClusterView[];
  outsiders: ClusterView[];
} {
  const first = clusterState(views);
  const reference = views.find((v) => v.addr === first.reference);
  if (!reference) return { members: views, outsiders: [] };
  const ids = new Set(reference.entries.map((e) => e.id));
  const addrs = new Set(reference.entries.flatMap((e) => (e.addr ? [e.addr] : [])));
  const member = (v: ClusterView) =>
    v.up && v.entries.length > 0
      ? v.myId !== null && ids.has(v.myId)
      : addrs.has(v.addr) || v.addr === reference.addr;
  return { members: views.filter(member), outsiders: views.filter((v) => !member(v)) };
}

/** The cluster as its reachable members see it, and the seeds that are not members. */
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
  const { members, outsiders } = splitMembers(views);
  const state = clusterState(members);
  if (state.reference === null)
    throw new UserError(
      `no node reports a slot map (${members.map((v) => v.addr).join(', ')}); is this a Redis Cluster?`,
    );
  return { state, outsiders };
}

/** The reference view's entry of a node, by id. */
export function entryOf(state: ClusterState, id: string) {
  const reference = state.views.find((v) => v.addr === state.reference);
  return reference?.entries.find((e) => e.id === id) ?? null;
}

/** Every master in the reference view with an address, slots or not. */
export function masterAddrs(state: ClusterState): { id: string; addr: Addr }[] {
  return state.shards.flatMap((s) => (s.master ? [{ id: s.masterId, addr: s.master }] : []));
}

import type { Addr } from './address.js';
import type { ClusterNodeEntry, ClusterView } from './cluster-nodes.js';
import { slotOwners } from './cluster-nodes.js';
import type { SlotRange } from './slots.js';
import { formatRanges, rangeSize, SLOT_COUNT, toRanges } from './slots.js';

/** A master with its slots and replicas. */
export interface Shard {
  masterId: string;
  master: Addr | null;
  /** The master is flagged `fail` (or `fail?`) by the reference view. */
  masterFailed: boolean;
  replicas: { id: string; addr: Addr | null; failed: boolean }[];
  slots: SlotRange[];
  slotCount: number;
}

export interface SlotMove {
  slot: number;
  fromId: string;
  toId: string;
}

/** The cluster as the reachable nodes see it. */
export interface ClusterState {
  /** `ok` when every reachable node says ok; `fail` when any says fail; `unknown` when none answers. */
  state: 'ok' | 'fail' | 'unknown';
  views: ClusterView[];
  /** The node whose map the shards come from: the slot map most reachable nodes share. */
  reference: Addr | null;
  shards: Shard[];
  /** Slots with an owner in the reference view. */
  slotsCovered: number;
  /** Slots left open by a move (MIGRATING on one side or IMPORTING on the other). */
  moves: SlotMove[];
  /** Node ids to client addresses, as the reference view knows them. */
  addrs: Record<string, Addr>;
  /** Nodes whose slot map differs from the reference, one sentence each. */
  disagreements: string[];
  /**
   * Nodes read that the cluster does not know (removed with del-node, started but not yet
   * added, or a wrong seed); they are left out of `views` and everything else.
   */
  outsiders: Addr[];
}

/** Who owns what, as one view says: `first-last:ownerId` per range, sorted. */
function slotMapSignature(view: ClusterView): string {
  return view.entries
    .filter((e) => e.role === 'master' && !e.flags.includes('handshake'))
    .flatMap((e) => e.slots.map(([a, b]) => ({ a, b, id: e.id })))
    .sort((x, y) => x.a - y.a)
    .map(({ a, b, id }) => `${a}-${b}:${id}`)
    .join(' ');
}

function failed(entry: ClusterNodeEntry): boolean {
  return entry.flags.includes('fail') || entry.flags.includes('fail?');
}

/** Where `view` differs from `reference`, as one sentence; null when they agree. */
function disagreement(view: ClusterView, reference: ClusterView): string | null {
  const mine = slotOwners(view);
  const theirs = slotOwners(reference);
  const differing: number[] = [];
  for (let s = 0; s < SLOT_COUNT; s++) if (mine[s] !== theirs[s]) differing.push(s);
  if (differing.length === 0) return null;
  const first = differing[0] ?? 0;
  const name = (id: string | null | undefined, v: ClusterView) => {
    if (!id) return 'nobody';
    const entry = v.entries.find((e) => e.id === id);
    return entry?.addr ?? id.slice(0, 8);
  };
  return `${view.addr} disagrees on ${differing.length} slots (${formatRanges(toRanges(differing), 3)}): slot ${first} is ${name(mine[first], view)}'s there, ${name(theirs[first], reference)}'s for ${reference.addr}`;
}

/**
 * Members are the nodes the reference view knows (by id when they answer, by address when they
 * do not); every other node read is an outsider.
 */
function splitMembers(
  views: ClusterView[],
  reference: ClusterView,
): { members: ClusterView[]; outsiders: ClusterView[] } {
  const ids = new Set(reference.entries.map((e) => e.id));
  const addrs = new Set(reference.entries.flatMap((e) => (e.addr ? [e.addr] : [])));
  const member = (v: ClusterView) =>
    v.up && v.entries.length > 0 ? v.myId !== null && ids.has(v.myId) : addrs.has(v.addr);
  return { members: views.filter(member), outsiders: views.filter((v) => !member(v)) };
}

/** The cluster as the reachable nodes see it (pure). */
export function clusterState(views: ClusterView[]): ClusterState {
  const up = views.filter((v) => v.up && v.entries.length > 0);
  // the slot map most nodes share; ties go to the newest epoch. Nodes that own nothing (fresh or
  // removed ones, each alone) never outvote a map with owners, however many they are.
  const groups = new Map<string, ClusterView[]>();
  for (const v of up) {
    const sig = slotMapSignature(v);
    const group = groups.get(sig);
    if (group) group.push(v);
    else groups.set(sig, [v]);
  }
  const owns = (group: ClusterView[]) => (group[0] && slotMapSignature(group[0]) !== '' ? 1 : 0);
  const best = [...groups.values()].sort(
    (a, b) =>
      owns(b) - owns(a) ||
      b.length - a.length ||
      Math.max(...b.map((v) => v.currentEpoch ?? 0)) -
        Math.max(...a.map((v) => v.currentEpoch ?? 0)),
  )[0];
  const reference = best?.[0] ?? null;
  if (!reference) {
    const state = up.length === 0 ? 'unknown' : up.some((v) => v.state !== 'ok') ? 'fail' : 'ok';
    return {
      state,
      views,
      reference: null,
      shards: [],
      slotsCovered: 0,
      moves: [],
      addrs: {},
      disagreements: [],
      outsiders: [],
    };
  }
  const { members, outsiders } = splitMembers(views, reference);
  const memberUp = up.filter((v) => members.includes(v));
  const state: ClusterState['state'] = memberUp.some((v) => v.state !== 'ok') ? 'fail' : 'ok';
  const addrs: Record<string, Addr> = {};
  for (const e of reference.entries) if (e.addr) addrs[e.id] = e.addr;
  const masters = reference.entries.filter(
    (e) => e.role === 'master' && !e.flags.includes('handshake'),
  );
  const shards: Shard[] = masters
    .map((m) => ({
      masterId: m.id,
      master: m.addr,
      masterFailed: failed(m),
      replicas: reference.entries
        .filter((r) => r.role === 'replica' && r.masterId === m.id)
        .map((r) => ({ id: r.id, addr: r.addr, failed: failed(r) }))
        .sort((a, b) => (a.addr ?? '').localeCompare(b.addr ?? '', 'en', { numeric: true })),
      slots: m.slots,
      slotCount: rangeSize(m.slots),
    }))
    .sort(
      (a, b) =>
        (a.slots[0]?.[0] ?? SLOT_COUNT) - (b.slots[0]?.[0] ?? SLOT_COUNT) ||
        (a.master ?? '').localeCompare(b.master ?? '', 'en', { numeric: true }),
    );
  // open moves from every node's own line about itself: that is where MIGRATING/IMPORTING live
  const moves = new Map<number, SlotMove>();
  for (const v of memberUp) {
    const self = v.entries.find((e) => e.flags.includes('myself'));
    if (!self) continue;
    for (const m of self.migrating)
      moves.set(m.slot, { slot: m.slot, fromId: self.id, toId: m.to });
    for (const i of self.importing)
      if (!moves.has(i.slot)) moves.set(i.slot, { slot: i.slot, fromId: i.from, toId: self.id });
  }
  const disagreements = memberUp
    .filter((v) => v !== reference)
    .map((v) => disagreement(v, reference))
    .filter((d): d is string => d !== null);
  return {
    state,
    views: members,
    outsiders: outsiders.map((v) => v.addr),
    reference: reference.addr,
    shards,
    slotsCovered: shards.reduce((sum, s) => sum + s.slotCount, 0),
    moves: [...moves.values()].sort((a, b) => a.slot - b.slot),
    addrs,
    disagreements,
  };
}

/** The shard a slot belongs to, or null when nobody owns it. */
export function shardOfSlot(cluster: ClusterState, slot: number): Shard | null {
  return cluster.shards.find((s) => s.slots.some(([a, b]) => slot >= a && slot <= b)) ?? null;
}

export interface ClusterExpectation {
  /** Replicas each master that owns slots should have. */
  replicasPerMaster?: number;
}

/**
 * What keeps a cluster from being healthy, one sentence each; empty when healthy. Healthy: every
 * node answers and says `cluster_state:ok`, all 16384 slots are owned, every node shares one slot
 * map, no slot is left MIGRATING/IMPORTING, nobody is flagged failing, and every master has its
 * replicas with their links up.
 */
export function clusterProblems(cluster: ClusterState, expect: ClusterExpectation = {}): string[] {
  const problems: string[] = [];
  for (const v of cluster.views) {
    if (!v.up) problems.push(`${v.addr} is down: ${v.downReason ?? 'no reply'}`);
    else if (v.state !== 'ok')
      problems.push(`${v.addr} says cluster_state:${v.state ?? 'unknown'}`);
    else if (v.knownNodes !== null && v.knownNodes < cluster.views.length)
      problems.push(`${v.addr} knows ${v.knownNodes} of ${cluster.views.length} nodes`);
  }
  if (cluster.reference === null) {
    if (cluster.views.some((v) => v.up)) problems.push('no node reports a slot map');
    return problems;
  }
  for (const addr of cluster.outsiders)
    problems.push(
      `${addr} is not part of the cluster (removed, or never added); add it with quorum cluster add-node ${addr}, or stop it`,
    );
  if (cluster.slotsCovered < SLOT_COUNT)
    problems.push(`${SLOT_COUNT - cluster.slotsCovered} of ${SLOT_COUNT} slots have no owner`);
  problems.push(...cluster.disagreements);
  for (const m of cluster.moves) {
    problems.push(
      `slot ${m.slot} is open (moving from ${cluster.addrs[m.fromId] ?? m.fromId.slice(0, 8)} to ${cluster.addrs[m.toId] ?? m.toId.slice(0, 8)}); finish or fix it with quorum cluster check`,
    );
  }
  for (const shard of cluster.shards) {
    const name = shard.master ?? shard.masterId.slice(0, 8);
    if (shard.masterFailed) problems.push(`master ${name} is flagged failing`);
    for (const r of shard.replicas)
      if (r.failed) problems.push(`replica ${r.addr ?? r.id.slice(0, 8)} is flagged failing`);
    const want = expect.replicasPerMaster;
    if (want !== undefined && shard.slotCount > 0 && shard.replicas.length < want)
      problems.push(`master ${name} has ${shard.replicas.length} of ${want} replicas`);
  }
  return problems;
}

import type { Topology } from '../../src/model/index.js';
import type { NetworkFault, NetworkState } from '../../src/server/contract.js';
import { sentinelsOf } from '../../src/model/topology.js';

/** The two sides of a partition being picked on the dashboard. */
export type Side = 'a' | 'b';

/** Member names on each side; a member is on one side at most. */
export interface Sides {
  a: string[];
  b: string[];
}

export const NO_SIDES: Sides = { a: [], b: [] };

export type PartitionFault = Extract<NetworkFault, { kind: 'partition' }>;

/** The kinds of fault that cut links (the rest only slow or thin them); one is active at most. */
const CUTS = new Set<NetworkFault['kind']>(['partition', 'one-way', 'isolate']);

/** The host of `host:port` (the part before the last ':'); an address without a port as is. */
export function hostOf(addr: string): string {
  const colon = addr.lastIndexOf(':');
  return colon < 0 ? addr : addr.slice(0, colon);
}

/**
 * The member a fault or a graph node names, by name (`redis-1`), lab address, or `address:port`;
 * null for anything outside the lab (the host, where quorum and its proxy run).
 */
export function memberAt(network: NetworkState, ref: string): string | null {
  const host = hostOf(ref);
  const found = network.members.find((m) => m.name === ref || m.addr === ref || m.addr === host);
  return found?.name ?? null;
}

/** The active cut (partition, one-way or isolate), if any. */
export function activeCut(network: NetworkState): NetworkFault | null {
  return network.active.find((f) => CUTS.has(f.kind)) ?? null;
}

/** The key of a link in the set cutLinks() returns: `opener` opens the connection to `peer`. */
export function linkKey(opener: string, peer: string): string {
  return `${opener}>${peer}`;
}

/** Whether a connection `a` opens to `b` is dropped by one fault (members by name; null outside). */
function cuts(fault: NetworkFault, a: string | null, b: string | null): boolean {
  switch (fault.kind) {
    case 'partition': {
      const groupOf = (m: string | null) =>
        m === null ? -1 : fault.groups.findIndex((g) => g.includes(m));
      const [ga, gb] = [groupOf(a), groupOf(b)];
      return ga >= 0 && gb >= 0 && ga !== gb;
    }
    case 'one-way':
      // connections `to` opens to `from` still work, replies included
      return a !== null && b !== null && fault.from.includes(a) && fault.to.includes(b);
    case 'isolate':
      return a === fault.member || b === fault.member;
    default:
      return false;
  }
}

/**
 * The links the active faults cut between the endpoints of a topology (data nodes and sentinels,
 * by `host:port`) and any `outside` endpoints that are no lab member (the proxy on the host), as
 * keys of linkKey(opener, peer). Direction matters only for a one-way cut. Pure.
 */
export function cutLinks(
  network: NetworkState,
  topology: Topology,
  outside: string[] = [],
): Set<string> {
  const canonical = (f: NetworkFault): NetworkFault => {
    const name = (ref: string) => memberAt(network, ref) ?? ref;
    switch (f.kind) {
      case 'partition':
        return { ...f, groups: f.groups.map((g) => g.map(name)) };
      case 'one-way':
        return { ...f, from: f.from.map(name), to: f.to.map(name) };
      default:
        return { ...f, member: name(f.member) };
    }
  };
  const faults = network.active.filter((f) => CUTS.has(f.kind)).map(canonical);
  const endpoints = [
    ...topology.nodes.map((n) => n.addr),
    ...sentinelsOf(topology).map((s) => s.addr),
  ].map((addr) => ({ addr, member: memberAt(network, addr) }));
  for (const addr of outside) endpoints.push({ addr, member: null });
  const cut = new Set<string>();
  for (const a of endpoints)
    for (const b of endpoints)
      if (a.addr !== b.addr && faults.some((f) => cuts(f, a.member, b.member)))
        cut.add(linkKey(a.addr, b.addr));
  return cut;
}

export function sideOf(sides: Sides, member: string): Side | null {
  if (sides.a.includes(member)) return 'a';
  return sides.b.includes(member) ? 'b' : null;
}

/** Puts `member` on `side`, moving it from the other; takes it off when it is there already. */
export function toggleSide(sides: Sides, member: string, side: Side): Sides {
  const was = sideOf(sides, member);
  const next = { a: sides.a.filter((m) => m !== member), b: sides.b.filter((m) => m !== member) };
  if (was !== side) next[side] = [...next[side], member];
  return next;
}

/**
 * The partition of side A from side B, each group in the lab's member order; null until both
 * sides have a member.
 */
export function partitionFault(sides: Sides, network: NetworkState): PartitionFault | null {
  const order = (group: string[]) =>
    network.members.map((m) => m.name).filter((name) => group.includes(name));
  const [a, b] = [order(sides.a), order(sides.b)];
  if (a.length === 0 || b.length === 0) return null;
  return { kind: 'partition', groups: [a, b] };
}

import type { ClusterState } from './cluster.js';
import type { ClusterView } from './cluster-nodes.js';
import { slotOwners } from './cluster-nodes.js';
import type { TopologyChange } from './change.js';
import { formatRanges, toRanges } from './slots.js';

/** Node ids flagged with `flag` by at least one reachable view, with who flags them. */
function flaggedBy(views: ClusterView[], flag: string): Map<string, string[]> {
  const flagged = new Map<string, string[]>();
  for (const v of views) {
    if (!v.up) continue;
    for (const e of v.entries) {
      if (!e.flags.includes(flag)) continue;
      flagged.set(e.id, [...(flagged.get(e.id) ?? []), v.addr]);
    }
  }
  return flagged;
}

function referenceView(cluster: ClusterState): ClusterView | null {
  return cluster.views.find((v) => v.addr === cluster.reference) ?? null;
}

/**
 * Clusters publish no events, so quorum derives them from two observations: a node flagged
 * PFAIL (`fail?`) or FAIL by some node and cleared again, the cluster state changing, a shard's
 * slots passing to its replica (a failover) and slots moving between masters (a reshard).
 */
export function diffCluster(prev: ClusterState, next: ClusterState): TopologyChange[] {
  const changes: TopologyChange[] = [];
  const name = (id: string) => next.addrs[id] ?? prev.addrs[id] ?? id.slice(0, 8);
  if (prev.state !== next.state && next.state !== 'unknown') {
    changes.push({
      type: 'quorum:cluster-state',
      message: `the cluster state is ${next.state} (was ${prev.state})`,
      detail: { from: prev.state, to: next.state },
    });
  }
  for (const [flag, type, what] of [
    ['fail?', 'quorum:node-pfail', 'PFAIL'],
    ['fail', 'quorum:node-fail', 'FAIL'],
  ] as const) {
    const before = flaggedBy(prev.views, flag);
    const after = flaggedBy(next.views, flag);
    for (const [id, by] of after) {
      if (before.has(id)) continue;
      changes.push({
        type,
        message: `${name(id)} is flagged ${what} by ${by.join(', ')}`,
        detail: { id, addr: name(id), by: by.join(',') },
      });
    }
    if (flag !== 'fail') continue;
    for (const id of before.keys()) {
      if (after.has(id)) continue;
      changes.push({
        type: 'quorum:node-fail-cleared',
        message: `${name(id)} is no longer flagged FAIL`,
        detail: { id, addr: name(id) },
      });
    }
  }
  const from = referenceView(prev);
  const to = referenceView(next);
  if (!from || !to) return changes;
  const ownersBefore = slotOwners(from);
  const ownersAfter = slotOwners(to);
  const moved = new Map<string, number[]>();
  for (let s = 0; s < ownersAfter.length; s++) {
    const a = ownersBefore[s] ?? null;
    const b = ownersAfter[s] ?? null;
    if (a === b || b === null) continue;
    const key = `${a ?? ''}>${b}`;
    const list = moved.get(key);
    if (list) list.push(s);
    else moved.set(key, [s]);
  }
  for (const [key, slots] of moved) {
    const [a = '', b = ''] = key.split('>');
    const ranges = formatRanges(toRanges(slots), 4);
    // a replica of the old owner now owning its slots: the shard failed over
    const promoted = from.entries.find((e) => e.id === b)?.masterId === a && a !== '';
    if (promoted) {
      changes.push({
        type: 'quorum:cluster-failover',
        message: `${name(b)} replaced ${name(a)} as master of ${slots.length} slots (${ranges})`,
        detail: { from: name(a), to: name(b), fromId: a, toId: b, slots: slots.length },
      });
    } else {
      changes.push({
        type: 'quorum:slots-moved',
        message: `${slots.length} slots (${ranges}) moved ${a ? `from ${name(a)} ` : ''}to ${name(b)}`,
        detail: { from: a ? name(a) : null, to: name(b), slots: slots.length },
      });
    }
  }
  return changes;
}

/** Shards whose slots passed to one of their replicas between two observations (failovers). */
export function clusterFailovers(prev: ClusterState | null, next: ClusterState | null): number {
  if (!prev || !next) return 0;
  return diffCluster(prev, next).filter((c) => c.type === 'quorum:cluster-failover').length;
}

import type { Addr, ClusterState, ClusterView } from '../model/index.js';
import { clusterProblems, formatRanges } from '../model/index.js';
import type { ClusterLinks } from './links.js';
import { readCluster } from './members.js';

export interface ClusterCheck {
  /** No problem (warnings allowed). */
  ok: boolean;
  /** What makes the cluster unhealthy or unsafe to change, one sentence each. */
  problems: string[];
  /** What deserves a look but breaks nothing now, one sentence each. */
  warnings: string[];
  state: ClusterState;
}

/** One sentence per open slot, naming who migrates or imports it (from each node's own line). */
function openSlotProblems(state: ClusterState): string[] {
  const name = (id: string) => state.addrs[id] ?? id.slice(0, 8);
  const bySlot = new Map<number, string[]>();
  for (const v of state.views) {
    const self = v.entries.find((e) => e.flags.includes('myself'));
    if (!v.up || !self) continue;
    const says = (slot: number, what: string) =>
      bySlot.set(slot, [...(bySlot.get(slot) ?? []), what]);
    for (const m of self.migrating) says(m.slot, `${v.addr} is MIGRATING it to ${name(m.to)}`);
    for (const i of self.importing) says(i.slot, `${v.addr} is IMPORTING it from ${name(i.from)}`);
  }
  return [...bySlot.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(
      ([slot, what]) =>
        `slot ${slot} is open: ${what.join(', ')}; finish the move with quorum cluster check --fix`,
    );
}

/**
 * What `cluster check` reports (pure), like `redis-cli --cluster check`: problems are nodes down
 * or saying cluster_state:fail, slots without owner, nodes whose slot map differs, open slots and
 * nodes flagged failing; warnings are masters with slots but no replica and seeds that are not
 * members of the cluster.
 */
export function assessCluster(
  state: ClusterState,
  outsiders: ClusterView[] = [],
): { problems: string[]; warnings: string[] } {
  // open slots and outsiders get sentences of their own: naming both sides of a move, and what
  // an outsider knows (a seed that is not a member breaks nothing, so it is a warning)
  const problems = [
    ...clusterProblems({ ...state, moves: [], outsiders: [] }),
    ...openSlotProblems(state),
  ];
  const warnings: string[] = [];
  for (const shard of state.shards) {
    if (shard.slotCount > 0 && shard.replicas.length === 0)
      warnings.push(
        `master ${shard.master ?? shard.masterId.slice(0, 8)} has no replica: losing it loses slots ${formatRanges(shard.slots, 3)}`,
      );
  }
  for (const v of outsiders) {
    warnings.push(
      v.up
        ? `${v.addr} is not a member of the cluster (it knows ${v.knownNodes ?? '?'} node${v.knownNodes === 1 ? '' : 's'}); join it with quorum cluster add-node ${v.addr}`
        : `${v.addr} is not a member of the cluster: ${v.downReason ?? 'down'}`,
    );
  }
  return { problems, warnings };
}

/** Reads the cluster from the seeds and checks it (assessCluster). */
export async function checkCluster(links: ClusterLinks, seeds: Addr[]): Promise<ClusterCheck> {
  const { state, outsiders } = await readCluster(links, seeds);
  const { problems, warnings } = assessCluster(state, outsiders);
  return { ok: problems.length === 0, problems, warnings, state };
}

import type { Addr } from './address.js';
import { clusterFailovers, diffCluster } from './cluster-diff.js';
import { assertNever } from './never.js';
import type { SentinelTopology, Topology } from './topology.js';
import type { TopologyChange } from './change.js';

/**
 * What changed between two observations of the same deployment, as quorum's own events:
 * nodes and sentinels going down or up, role changes, and the agreed master changing.
 */
export function diffTopology(prev: Topology, next: Topology): TopologyChange[] {
  const changes: TopologyChange[] = [];
  const before = new Map(prev.nodes.map((n) => [n.addr, n]));
  for (const node of next.nodes) {
    const old = before.get(node.addr);
    if (!old) {
      changes.push({
        type: 'quorum:node-discovered',
        message: `${node.addr} discovered`,
        detail: { addr: node.addr },
      });
      continue;
    }
    if (old.up && !node.up) {
      changes.push({
        type: 'quorum:node-down',
        message: `${node.addr} is down: ${node.downReason ?? 'no reply'}`,
        // the last poll that reached it: when a failover's outage began, if nothing tells better
        detail: { addr: node.addr, reason: node.downReason, lastSeenMs: old.lastSeenMs },
      });
    } else if (!old.up && node.up) {
      changes.push({
        type: 'quorum:node-up',
        message: `${node.addr} is up as ${node.role}`,
        detail: { addr: node.addr, role: node.role },
      });
    }
    if (old.up && node.up && old.role !== node.role) {
      changes.push({
        type: 'quorum:role-change',
        message: `${node.addr} changed role from ${old.role} to ${node.role}`,
        detail: { addr: node.addr, from: old.role, to: node.role },
      });
    }
  }
  switch (next.kind) {
    case 'sentinel':
      if (prev.kind === 'sentinel') changes.push(...diffSentinels(prev, next));
      break;
    case 'cluster':
      if (prev.kind === 'cluster') changes.push(...diffCluster(prev.cluster, next.cluster));
      break;
    default:
      assertNever(next);
  }
  return changes;
}

/** Sentinels going down or up, and the sentinels' agreement on the master moving. */
function diffSentinels(prev: SentinelTopology, next: SentinelTopology): TopologyChange[] {
  const changes: TopologyChange[] = [];
  const sentinelsBefore = new Map(prev.sentinels.map((s) => [s.addr, s]));
  for (const s of next.sentinels) {
    const old = sentinelsBefore.get(s.addr);
    if (!old) continue;
    if (old.up && !s.up) {
      changes.push({
        type: 'quorum:sentinel-down',
        message: `sentinel ${s.addr} is down: ${s.downReason ?? 'no reply'}`,
        detail: { addr: s.addr, reason: s.downReason },
      });
    } else if (!old.up && s.up) {
      changes.push({
        type: 'quorum:sentinel-up',
        message: `sentinel ${s.addr} is up`,
        detail: { addr: s.addr },
      });
    }
  }
  const from = prev.agreement.master;
  const to = next.agreement.master;
  if (from !== to) {
    const message =
      to === null
        ? `the sentinels no longer agree on a master (was ${from ?? 'none'})`
        : `the sentinels agree on master ${to}${from ? ` (was ${from})` : ''}`;
    changes.push({
      type: 'quorum:master-change',
      message,
      detail: { from, to, agreeing: next.agreement.agreeing, total: next.agreement.total },
    });
  }
  return changes;
}

/**
 * Counts the master moving to another node across observations: for Sentinel, the agreed master
 * naming another node than the last one agreed on (a spell without agreement in between is no
 * move by itself); for a cluster, a shard's replica replacing its master.
 */
export class MasterMoves {
  private last: Topology | null = null;
  private lastMaster: Addr | null = null;

  /** Takes the next observation; returns how many times the master moved since the last one. */
  observe(topology: Topology): number {
    const previous = this.last;
    this.last = topology;
    switch (topology.kind) {
      case 'sentinel': {
        const master = topology.agreement.master;
        if (master === null) return 0;
        const moved = this.lastMaster !== null && master !== this.lastMaster;
        this.lastMaster = master;
        return moved ? 1 : 0;
      }
      case 'cluster':
        return previous?.kind === 'cluster'
          ? clusterFailovers(previous.cluster, topology.cluster)
          : 0;
      default:
        return assertNever(topology);
    }
  }
}

import type { Topology } from './topology.js';

/** A change between two observations, before it becomes a `quorum:` event. */
export interface TopologyChange {
  type: string;
  message: string;
  detail: Record<string, string | number | boolean | null>;
}

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
        detail: { addr: node.addr, reason: node.downReason },
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

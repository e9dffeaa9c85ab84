import type { Addr } from '../model/index.js';
import type { ObserveTarget } from '../observer/index.js';
import type { LocalAccess } from './access.js';
import type { LocalSpec } from './spec.js';

/** What an observer watches of a local deployment: its data nodes, and its sentinels if any. */
export function observeTargetOf(
  spec: LocalSpec,
  addrs: { nodes: Addr[]; sentinels: Addr[] },
  access: LocalAccess,
): ObserveTarget {
  if (spec.mode === 'cluster') {
    return { kind: 'cluster', name: spec.name, nodes: addrs.nodes, access: access.node };
  }
  return {
    kind: 'sentinel',
    name: spec.name,
    masterName: spec.name,
    sentinels: addrs.sentinels,
    nodes: addrs.nodes,
    access: access.node,
    sentinelAccess: access.sentinel,
  };
}

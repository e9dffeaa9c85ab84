import type { Deployment } from '../deployment/index.js';
import { describeFault } from '../faults/index.js';
import { nodeActions } from '../local/index.js';
import type { Capabilities, NetworkState } from './contract.js';

/** What the page may offer on a deployment, and its lab network; read from the handle. */

export function networkOf(source: Deployment): NetworkState | null {
  const network = source.network;
  if (!network) return null;
  const active = network.active();
  return {
    members: network.lab.members.map((m) => ({ name: m.name, addr: m.addr })),
    active,
    described: active.map(describeFault),
  };
}

export function capabilitiesOf(source: Deployment): Capabilities {
  const cluster = source.kind === 'cluster';
  return {
    remote: cluster ? ['debug-sleep'] : ['failover', 'switchover', 'debug-sleep'],
    process: source.controller ? [...nodeActions] : [],
    network: source.network != null,
    cluster: cluster
      ? [
          'cluster-failover',
          'reshard',
          'rebalance',
          ...(source.controller ? (['add-node'] as const) : []),
          'del-node',
        ]
      : [],
  };
}

/** Topologies for unit tests: a healthy deployment, and its parts to replace. */
import type { Addr } from './address.js';
import { agreeOnMaster } from './agreement.js';
import type { DataNode, SentinelView, Topology } from './topology.js';
import { downNode, downSentinel } from './topology.js';

export const MASTER = '127.0.0.1:6390';
export const R1 = '127.0.0.1:6391';
export const R2 = '127.0.0.1:6392';
export const S1 = '127.0.0.1:26390';
export const S2 = '127.0.0.1:26391';
export const S3 = '127.0.0.1:26392';

export function master(addr: Addr, overrides: Partial<DataNode> = {}): DataNode {
  const node = downNode(addr, '');
  return {
    ...node,
    up: true,
    downReason: null,
    role: 'master',
    replication: { ...node.replication, offset: 422, connectedReplicas: 2 },
    ...overrides,
  };
}

export function replica(addr: Addr, of: Addr, overrides: Partial<DataNode> = {}): DataNode {
  const node = downNode(addr, '');
  return {
    ...node,
    up: true,
    downReason: null,
    role: 'replica',
    replication: { ...node.replication, masterAddr: of, linkUp: true, offset: 422, lagBytes: 0 },
    ...overrides,
  };
}

export function sentinel(addr: Addr, overrides: Partial<SentinelView> = {}): SentinelView {
  return {
    ...downSentinel(addr, ''),
    up: true,
    downReason: null,
    masterAddr: MASTER,
    masterFlags: ['master'],
    quorum: 2,
    knownSentinels: 2,
    knownReplicas: 2,
    okReplicas: 2,
    configEpoch: 0,
    downAfterMs: 5000,
    tilt: false,
    ckquorum: {
      ok: true,
      message: 'OK 3 usable Sentinels. Quorum and failover authorization can be reached',
    },
    ...overrides,
  };
}

/** A healthy deployment (1 master, 2 replicas, 3 sentinels), with the given parts replaced. */
export function topology(parts: { nodes?: DataNode[]; sentinels?: SentinelView[] } = {}): Topology {
  const nodes = parts.nodes ?? [master(MASTER), replica(R1, MASTER), replica(R2, MASTER)];
  const sentinels = parts.sentinels ?? [sentinel(S1), sentinel(S2), sentinel(S3)];
  return {
    name: 'mymaster',
    kind: 'sentinel',
    masterName: 'mymaster',
    agreement: agreeOnMaster(sentinels),
    nodes,
    sentinels,
    cluster: null,
    observedAtMs: 1_700_000_000_000,
  };
}

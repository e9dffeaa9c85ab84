/** Topologies for unit tests: a healthy deployment, and its parts to replace. */
import type { Addr } from './address.js';
import { agreeOnMaster } from './agreement.js';
import { clusterState } from './cluster.js';
import { clusterView } from './cluster-nodes.js';
import type { ClusterTopology, DataNode, SentinelTopology, SentinelView } from './topology.js';
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
    failoverTimeoutMs: 10000,
    tilt: false,
    ckquorum: {
      ok: true,
      message: 'OK 3 usable Sentinels. Quorum and failover authorization can be reached',
    },
    ...overrides,
  };
}

/** A healthy deployment (1 master, 2 replicas, 3 sentinels), with the given parts replaced. */
export function topology(
  parts: { nodes?: DataNode[]; sentinels?: SentinelView[] } = {},
): SentinelTopology {
  const nodes = parts.nodes ?? [master(MASTER), replica(R1, MASTER), replica(R2, MASTER)];
  const sentinels = parts.sentinels ?? [sentinel(S1), sentinel(S2), sentinel(S3)];
  return {
    name: 'mymaster',
    kind: 'sentinel',
    masterName: 'mymaster',
    agreement: agreeOnMaster(sentinels),
    nodes,
    sentinels,
    observedAtMs: 1_700_000_000_000,
    certificates: [],
  };
}

const CLUSTER_IDS = ['a', 'b', 'c', 'd', 'e', 'f'].map((c) => c.repeat(40));
const CLUSTER_ADDRS = [7000, 7001, 7002, 7003, 7004, 7005].map((p) => `127.0.0.1:${p}`);

/** CLUSTER NODES of a healthy 3 x 2 cluster as node `self` prints it. */
function clusterNodesText(self: number, masterFlags: string[] = []): string {
  const ranges = ['0-5460', '5461-10922', '10923-16383'];
  return CLUSTER_IDS.map((id, i) => {
    const flags = [
      ...(i === self ? ['myself'] : []),
      i < 3 ? 'master' : 'slave',
      ...(i === 0 ? masterFlags : []),
    ].join(',');
    const port = 7000 + i;
    const master = i < 3 ? '-' : CLUSTER_IDS[i - 3];
    return `${id} 127.0.0.1:${port}@${port + 10000} ${flags} ${master} 0 0 ${(i % 3) + 1} connected${i < 3 ? ` ${ranges[i]}` : ''}`;
  }).join('\n');
}

/** A cluster of 3 masters with a replica each; `failing` flags the first master FAIL everywhere. */
export function clusterTopology(options: { failing?: boolean } = {}): ClusterTopology {
  const state = options.failing ? 'fail' : 'ok';
  const views = CLUSTER_ADDRS.map((addr, i) =>
    clusterView(
      addr,
      {
        cluster_state: state,
        cluster_known_nodes: '6',
        cluster_slots_fail: options.failing ? '5461' : '0',
      },
      clusterNodesText(i, options.failing ? ['fail'] : []),
    ),
  );
  const nodes = CLUSTER_ADDRS.map((addr, i) =>
    i < 3 ? master(addr) : replica(addr, CLUSTER_ADDRS[i - 3] ?? ''),
  );
  return {
    name: 'mycluster',
    kind: 'cluster',
    nodes,
    cluster: clusterState(views),
    observedAtMs: 1_700_000_000_000,
    certificates: [],
  };
}

/** The cluster above after its first master failed: its replica (7003) owns 0-5460 now. */
export function clusterAfterFailover(): ClusterTopology {
  const healthy = clusterTopology();
  const lines = (self: number) =>
    clusterNodesText(self)
      .split('\n')
      .map((line, i) => {
        if (i === 0) return line.replace('master', 'master,fail').replace(' 0-5460', '');
        if (i === 3) return line.replace('slave', 'master').replace(/ a{40} /, ' - ') + ' 0-5460';
        return line;
      })
      .join('\n');
  const views = CLUSTER_ADDRS.slice(1).map((addr, i) =>
    clusterView(addr, { cluster_state: 'ok', cluster_known_nodes: '6' }, lines(i + 1)),
  );
  return { ...healthy, cluster: clusterState(views) };
}

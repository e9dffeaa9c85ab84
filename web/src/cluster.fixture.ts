/** Clusters for the web's unit tests, built from CLUSTER NODES text as real nodes print it. */
import type { ClusterState, DataNode, Topology } from '../../src/model/index.js';
import { clusterState, clusterView, downClusterView, downNode } from '../../src/model/index.js';

export const ID = {
  m1: '1'.repeat(40),
  m2: '2'.repeat(40),
  m3: '3'.repeat(40),
  r1: '4'.repeat(40),
  r2: '5'.repeat(40),
  r3: '6'.repeat(40),
} as const;
export type Name = keyof typeof ID;

export const ADDR: Record<Name, string> = {
  m1: '127.0.0.1:7000',
  m2: '127.0.0.1:7001',
  m3: '127.0.0.1:7002',
  r1: '127.0.0.1:7003',
  r2: '127.0.0.1:7004',
  r3: '127.0.0.1:7005',
};

const NAMES = Object.keys(ID) as Name[];

/** One CLUSTER NODES line: `master 0-5460`, `slave m1`, with extra flags. */
export type Line =
  | { role: 'master'; slots: string; flags?: string[] }
  | {
      role: 'slave';
      of: Name;
      flags?: string[];
    };

export const HEALTHY: Record<Name, Line> = {
  m1: { role: 'master', slots: '0-5460' },
  m2: { role: 'master', slots: '5461-10922' },
  m3: { role: 'master', slots: '10923-16383' },
  r1: { role: 'slave', of: 'm1' },
  r2: { role: 'slave', of: 'm2' },
  r3: { role: 'slave', of: 'm3' },
};

function text(self: Name, lines: Record<Name, Line>, extra: Partial<Record<Name, string>>): string {
  return NAMES.map((n) => {
    const l = lines[n];
    const flags = [...(n === self ? ['myself'] : []), l.role, ...(l.flags ?? [])].join(',');
    const master = l.role === 'slave' ? ID[l.of] : '-';
    const slots = l.role === 'master' ? l.slots : '';
    const open = n === self ? (extra[n] ?? '') : '';
    return `${ID[n]} ${ADDR[n]}@1${ADDR[n].split(':')[1] ?? ''} ${flags} ${master} 0 0 1 connected ${slots} ${open}`;
  }).join('\n');
}

/**
 * A 3 x 1 cluster. `lines` is what every node says (or, per node, `views`); `down` nodes do not
 * answer; `open` adds MIGRATING/IMPORTING tokens to a node's own line.
 */
export function cluster(
  options: {
    lines?: Record<Name, Line>;
    views?: Partial<Record<Name, Record<Name, Line>>>;
    down?: Name[];
    open?: Partial<Record<Name, string>>;
  } = {},
): ClusterState {
  const views = NAMES.map((n) =>
    options.down?.includes(n)
      ? downClusterView(ADDR[n], 'refused')
      : clusterView(
          ADDR[n],
          { cluster_state: 'ok', cluster_known_nodes: '6', cluster_current_epoch: '6' },
          text(n, options.views?.[n] ?? options.lines ?? HEALTHY, options.open ?? {}),
        ),
  );
  return clusterState(views);
}

/** The topology around a cluster state: every node up with `keys` keys, unless down. */
export function topology(state: ClusterState, down: Name[] = [], keys = 10): Topology {
  const nodes: DataNode[] = NAMES.map((n) => {
    const node = downNode(ADDR[n], 'refused');
    if (down.includes(n)) return node;
    return {
      ...node,
      up: true,
      downReason: null,
      role: n.startsWith('m') ? 'master' : 'replica',
      memoryUsedBytes: 2048,
      replication: {
        ...node.replication,
        linkUp: n.startsWith('r') ? true : null,
        lagBytes: n.startsWith('r') ? 0 : null,
      },
      stats: { ...node.stats, keyspace: { db0: { keys, expires: 0 } } },
    };
  });
  return {
    name: 'mycluster',
    kind: 'cluster',
    nodes,
    cluster: state,
    observedAtMs: 0,
    certificates: [],
  };
}

/** m1 killed: r1 took its slots; m1 is `master,fail` without slots in every other view. */
export const FAILED_OVER: Record<Name, Line> = {
  ...HEALTHY,
  m1: { role: 'master', slots: '', flags: ['fail'] },
  r1: { role: 'master', slots: '0-5460' },
};

import { describe, expect, it } from 'vitest';
import { clusterProblems, clusterState } from './cluster.js';
import { clusterView, parseClusterNodes } from './cluster-nodes.js';
import { diffCluster } from './cluster-diff.js';
import { crc16, evenSlotRanges, keySlot, SLOT_COUNT, toRanges } from './slots.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);
const D = 'd'.repeat(40);

function nodes(self: string, lines: string[]): string {
  return lines
    .map((l) =>
      l.startsWith(self)
        ? l.replace(' master', ' myself,master').replace(' slave', ' myself,slave')
        : l,
    )
    .join('\n');
}

const healthy = [
  `${A} 127.0.0.1:7000@17000 master - 0 0 1 connected 0-5460`,
  `${B} 127.0.0.1:7001@17001 master - 0 0 2 connected 5461-10922`,
  `${C} 127.0.0.1:7002@17002 master - 0 0 3 connected 10923-16383`,
  `${D} 127.0.0.1:7003@17003 slave ${A} 0 0 1 connected`,
];
const info = { cluster_state: 'ok', cluster_known_nodes: '4', cluster_current_epoch: '3' };
const addrs = ['127.0.0.1:7000', '127.0.0.1:7001', '127.0.0.1:7002', '127.0.0.1:7003'];
const ids = [A, B, C, D];

function views(lines: string[] = healthy) {
  return addrs.map((addr, i) => clusterView(addr, info, nodes(ids[i] ?? '', lines)));
}

describe('slot math', () => {
  it('hashes as Redis does (CRC16 XMODEM, hash tags)', () => {
    expect(crc16(new TextEncoder().encode('123456789'))).toBe(0x31c3);
    expect(keySlot('foo')).toBe(12182);
    expect(keySlot('bar')).toBe(5061);
    expect(keySlot('{user1000}.following')).toBe(keySlot('{user1000}.followers'));
    expect(keySlot('{}.a')).toBe(keySlot('{}.a'));
    expect(keySlot('{}.a')).not.toBe(keySlot('{}.b'));
  });
  it('splits slots as redis-cli --cluster create does', () => {
    expect(evenSlotRanges(3)).toEqual([
      [0, 5460],
      [5461, 10922],
      [10923, 16383],
    ]);
    expect(toRanges([5, 1, 2, 3, 9])).toEqual([
      [1, 3],
      [5, 5],
      [9, 9],
    ]);
  });
});

describe('CLUSTER NODES', () => {
  it('parses flags, slots and open moves, and skips garbage', () => {
    const entries = parseClusterNodes(
      [
        `${A} 127.0.0.1:7000@17000,host-a myself,master - 0 0 1 connected 0-10 12 [11->-${B}]`,
        `${B} :0@0 master,noaddr - 0 0 2 disconnected [11-<-${A}]`,
        `${D} 127.0.0.1:7003@17003 slave,fail? ${A} 10 20 1 connected`,
        'garbage line',
        `${C} 127.0.0.1:99999@1 master - 0 0 3 connected 20000 5-3`,
      ].join('\n'),
    );
    expect(entries).toHaveLength(4);
    expect(entries[0]).toMatchObject({
      addr: '127.0.0.1:7000',
      busPort: 17000,
      role: 'master',
      slots: [
        [0, 10],
        [12, 12],
      ],
      migrating: [{ slot: 11, to: B }],
    });
    expect(entries[1]).toMatchObject({
      addr: null,
      linkConnected: false,
      importing: [{ slot: 11, from: A }],
    });
    expect(entries[2]).toMatchObject({ role: 'replica', masterId: A, flags: ['slave', 'fail?'] });
    expect(entries[3]).toMatchObject({ addr: null, slots: [] });
  });
});

describe('clusterState', () => {
  it('builds shards from the shared map and finds nothing wrong in a healthy cluster', () => {
    const state = clusterState(views());
    expect(state.state).toBe('ok');
    expect(state.slotsCovered).toBe(SLOT_COUNT);
    expect(state.shards.map((s) => [s.master, s.replicas.map((r) => r.addr)])).toEqual([
      ['127.0.0.1:7000', ['127.0.0.1:7003']],
      ['127.0.0.1:7001', []],
      ['127.0.0.1:7002', []],
    ]);
    expect(clusterProblems(state)).toEqual([]);
    expect(clusterProblems(state, { replicasPerMaster: 1 })).toEqual([
      'master 127.0.0.1:7001 has 0 of 1 replicas',
      'master 127.0.0.1:7002 has 0 of 1 replicas',
    ]);
  });

  it('names a node that disagrees on the slot map, and open slots', () => {
    const vs = views();
    const stale = healthy.map((l) =>
      l.replace('0-5460', '0-5459').replace('5461-10922', '5460-10922'),
    );
    vs[2] = clusterView(addrs[2] ?? '', info, nodes(C, stale));
    vs[0] = clusterView(
      addrs[0] ?? '',
      info,
      nodes(A, [...healthy.slice(0, 1).map((l) => `${l} [42->-${B}]`), ...healthy.slice(1)]),
    );
    const problems = clusterProblems(clusterState(vs));
    expect(problems).toContain(
      "127.0.0.1:7002 disagrees on 1 slots (5460): slot 5460 is 127.0.0.1:7001's there, 127.0.0.1:7000's for 127.0.0.1:7000",
    );
    expect(
      problems.some((p) =>
        p.startsWith('slot 42 is open (moving from 127.0.0.1:7000 to 127.0.0.1:7001)'),
      ),
    ).toBe(true);
  });

  it('derives PFAIL, FAIL, a failover and a cluster state change from two observations', () => {
    const before = clusterState(views());
    const failing = healthy.map((l) => (l.startsWith(A) ? l.replace('master', 'master,fail') : l));
    const promoted = [
      `${A} 127.0.0.1:7000@17000 master,fail - 0 0 1 disconnected`,
      healthy[1] ?? '',
      healthy[2] ?? '',
      `${D} 127.0.0.1:7003@17003 master - 0 0 4 connected 0-5460`,
    ];
    const mid = clusterState(
      views(failing).map((v) =>
        v.addr === addrs[0]
          ? { ...v, up: false, state: null, entries: [] }
          : { ...v, state: 'fail' as const },
      ),
    );
    const types = diffCluster(before, mid).map((c) => c.type);
    expect(types).toEqual(['quorum:cluster-state', 'quorum:node-fail']);
    const after = clusterState(views(promoted).slice(1));
    const changes = diffCluster(mid, after);
    expect(changes.map((c) => c.type)).toEqual(['quorum:cluster-state', 'quorum:cluster-failover']);
    expect(changes[1]?.message).toBe(
      '127.0.0.1:7003 replaced 127.0.0.1:7000 as master of 5461 slots (0-5460)',
    );
  });
});

describe('outsiders', () => {
  it('leaves a node the cluster does not know out of the views, and names it', () => {
    const loner = clusterView(
      '127.0.0.1:7009',
      { cluster_state: 'fail', cluster_known_nodes: '1' },
      `${'e'.repeat(40)} 127.0.0.1:7009@17009 myself,master - 0 0 0 connected`,
    );
    const state = clusterState([...views(), loner]);
    expect(state.state).toBe('ok');
    expect(state.views.map((v) => v.addr)).toEqual(addrs);
    expect(state.outsiders).toEqual(['127.0.0.1:7009']);
    expect(state.disagreements).toEqual([]);
    // however many nodes own nothing, they never become the map the cluster is read from
    const crowd = ['1', '2', '3', '4', '5'].map((n) =>
      clusterView(
        `127.0.0.1:810${n}`,
        { cluster_state: 'fail', cluster_known_nodes: '1' },
        `${n.repeat(40)} 127.0.0.1:810${n}@18101 myself,master - 0 0 0 connected`,
      ),
    );
    expect(clusterState([...views(), ...crowd]).reference).toBe(addrs[0]);
    expect(clusterProblems(state)).toEqual([
      '127.0.0.1:7009 is not part of the cluster (removed, or never added); add it with quorum cluster add-node 127.0.0.1:7009, or stop it',
    ]);
  });
});

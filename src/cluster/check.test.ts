import { describe, expect, it } from 'vitest';
import type { ClusterView } from '../model/index.js';
import { clusterState, clusterView } from '../model/index.js';
import { assessCluster } from './check.js';

const A = 'a1b2c3' + '0'.repeat(34);
const B = 'a1b2c4' + '1'.repeat(34);
const C = 'ccccc' + '2'.repeat(35);
const D = 'd'.repeat(40);
const LONE = 'e'.repeat(40);

const lines = [
  `${A} 127.0.0.1:7000@17000 master - 0 0 1 connected 0-5460`,
  `${B} 127.0.0.1:7001@17001 master - 0 0 2 connected 5461-10922`,
  `${C} 127.0.0.1:7002@17002 master - 0 0 3 connected 10923-16383`,
  `${D} 127.0.0.1:7003@17003 slave ${A} 0 0 1 connected`,
];
const info = { cluster_state: 'ok', cluster_known_nodes: '4', cluster_current_epoch: '3' };
const ids = [A, B, C, D];

function view(i: number, text: string[] = lines): ClusterView {
  const id = ids[i] ?? '';
  const marked = text.map((l) =>
    l.startsWith(id)
      ? l.replace(' master', ' myself,master').replace(' slave', ' myself,slave')
      : l,
  );
  return clusterView(`127.0.0.1:${7000 + i}`, info, marked.join('\n'));
}

describe('members and check', () => {
  const lone = clusterView(
    '127.0.0.1:7009',
    { cluster_state: 'fail', cluster_known_nodes: '1' },
    `${LONE} 127.0.0.1:7009@17009 myself,master - 0 0 0 connected`,
  );

  it('keeps a node the cluster does not know out of the slot map', () => {
    const state = clusterState([...[0, 1, 2, 3].map((i) => view(i)), lone]);
    expect(state.views).toHaveLength(4);
    expect(state.outsiders).toEqual(['127.0.0.1:7009']);
    const { problems, warnings } = assessCluster(state, [lone]);
    expect(problems).toEqual([]);
    expect(warnings).toContain(
      '127.0.0.1:7009 is not a member of the cluster (it knows 1 node); join it with quorum cluster add-node 127.0.0.1:7009',
    );
    expect(warnings.some((w) => w.startsWith('master 127.0.0.1:7001 has no replica'))).toBe(true);
  });

  it('names both sides of an open slot', () => {
    const open = (i: number) => {
      const text = lines.map((l) => {
        if (i === 0 && l.startsWith(A)) return `${l} [42->-${B}]`;
        if (i === 1 && l.startsWith(B)) return `${l} [42-<-${A}]`;
        return l;
      });
      return view(i, text);
    };
    const { problems } = assessCluster(clusterState([0, 1, 2, 3].map(open)));
    expect(problems).toEqual([
      'slot 42 is open: 127.0.0.1:7000 is MIGRATING it to 127.0.0.1:7001, 127.0.0.1:7001 is IMPORTING it from 127.0.0.1:7000; finish the move with quorum cluster check --fix',
    ]);
  });
});

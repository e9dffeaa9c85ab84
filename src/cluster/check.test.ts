import { describe, expect, it } from 'vitest';
import { clusterState, clusterView } from '../model/index.js';
import { assessCluster } from './check.js';
import { A, B, lines, view } from './views.fixture.js';

const LONE = 'e'.repeat(40);

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

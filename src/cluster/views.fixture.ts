/** A 3-master cluster with one replica (of A) for unit tests, each node's view built alike. */
import type { ClusterView } from '../model/index.js';
import { clusterView } from '../model/index.js';

export const A = 'a1b2c3' + '0'.repeat(34);
export const B = 'a1b2c4' + '1'.repeat(34);
export const C = 'ccccc' + '2'.repeat(35);
export const D = 'd'.repeat(40);

export const lines = [
  `${A} 127.0.0.1:7000@17000 master - 0 0 1 connected 0-5460`,
  `${B} 127.0.0.1:7001@17001 master - 0 0 2 connected 5461-10922`,
  `${C} 127.0.0.1:7002@17002 master - 0 0 3 connected 10923-16383`,
  `${D} 127.0.0.1:7003@17003 slave ${A} 0 0 1 connected`,
];
const info = { cluster_state: 'ok', cluster_known_nodes: '4', cluster_current_epoch: '3' };
const ids = [A, B, C, D];

/** Node `i` (127.0.0.1:7000 + i) as it sees the cluster described by `text`. */
export function view(i: number, text: string[] = lines): ClusterView {
  const id = ids[i] ?? '';
  const marked = text.map((l) =>
    l.startsWith(id)
      ? l.replace(' master', ' myself,master').replace(' slave', ' myself,slave')
      : l,
  );
  return clusterView(`127.0.0.1:${7000 + i}`, info, marked.join('\n'));
}

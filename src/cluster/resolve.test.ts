import { describe, expect, it } from 'vitest';
import { clusterState, UserError } from '../model/index.js';
import { resolveClusterNode } from './resolve.js';
import { A, B, C, D, view } from './views.fixture.js';

const state = clusterState([0, 1, 2, 3].map((i) => view(i)));
const names = new Map([
  ['redis-1', '127.0.0.1:7000'],
  ['redis-4', '127.0.0.1:7003'],
  ['redis-9', '127.0.0.1:7009'],
]);

function failure(text: string): UserError {
  try {
    resolveClusterNode(state, text, names);
  } catch (err) {
    if (err instanceof UserError) return err;
    throw err;
  }
  throw new Error(`${text} resolved`);
}

describe('resolveClusterNode', () => {
  it('finds a node by address, id, id prefix, port and process name', () => {
    expect(resolveClusterNode(state, '127.0.0.1:7001')).toEqual({ id: B, addr: '127.0.0.1:7001' });
    expect(resolveClusterNode(state, 'localhost:7001').id).toBe(B);
    expect(resolveClusterNode(state, C).addr).toBe('127.0.0.1:7002');
    expect(resolveClusterNode(state, 'CCCCC2').id).toBe(C);
    expect(resolveClusterNode(state, '7003').id).toBe(D);
    expect(resolveClusterNode(state, 'redis-4', names).id).toBe(D);
  });

  it('names the known nodes when nothing matches', () => {
    const err = failure('redis-7');
    expect(err.message).toContain("no cluster node is 'redis-7'");
    expect(err.message).toContain('redis-1 127.0.0.1:7000 (a1b2c300)');
    expect(err.message).toContain('127.0.0.1:7002 (ccccc222)');
    expect(err.exitCode).toBe(2);
    expect(failure('127.0.0.1:7999').message).toContain('the cluster knows');
  });

  it('refuses a too short prefix, and a named process outside the cluster', () => {
    expect(failure('a1b2c').message).toContain('too short');
    expect(resolveClusterNode(state, 'a1b2c3').id).toBe(A);
    expect(failure('redis-9').message).toBe(
      'redis-9 (127.0.0.1:7009) is not a member of the cluster; join it with quorum cluster add-node 127.0.0.1:7009',
    );
  });

  it('says when a prefix matches several nodes', () => {
    const twins = [
      `${A} 127.0.0.1:7000@17000 master - 0 0 1 connected 0-5460`,
      `${'a1b2c3' + 'f'.repeat(34)} 127.0.0.1:7001@17001 master - 0 0 2 connected 5461-16383`,
    ];
    const s = clusterState([view(0, twins)]);
    expect(() => resolveClusterNode(s, 'a1b2c3')).toThrow(/matches 2 nodes/);
  });
});

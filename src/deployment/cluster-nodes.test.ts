import { OPEN_ACCESS } from '../redis/index.js';
import { describe, expect, it } from 'vitest';
import { ClusterLinks } from '../cluster/index.js';
import type { NodeHost } from './cluster-nodes.js';
import { addNodeSteps } from './cluster-nodes.js';
import { JobDesk } from './jobs.js';

/** A supervisor that starts `redis-7` on a port nothing listens on, and notes what it stops. */
function host(stopped: string[]): NodeHost {
  return {
    addNode: () => Promise.resolve({ name: 'redis-7', addr: '127.0.0.1:1' }),
    removeNode: (name) => {
      stopped.push(name);
      return Promise.resolve(`stopped ${name}`);
    },
  };
}

describe('addNodeSteps', () => {
  it('stops the node it started when the join fails, and keeps the join error', async () => {
    const stopped: string[] = [];
    const links = new ClusterLinks(OPEN_ACCESS, 500);
    const names = new Map<string, string>();
    const said: string[] = [];
    const addition = addNodeSteps(
      { links, seeds: ['127.0.0.1:1'], names },
      {
        addr: null,
        host: host(stopped),
        replicaOf: null,
        actor: 'test',
        started: (n) => said.push(n.name),
      },
    );
    expect(addition.steps.map((s) => s.name)).toEqual(['start node', 'join']);
    const job = new JobDesk('demo', null).start({
      kind: 'cluster:add-node',
      description: 'add',
      by: 'test',
      steps: addition.steps,
    });
    const record = await job.ended;
    await links.close();
    expect(record.state).toBe('failed');
    expect(record.error).not.toBeNull();
    expect(said).toEqual(['redis-7']);
    expect(names.get('redis-7')).toBe('127.0.0.1:1');
    expect(stopped).toEqual(['redis-7']);
    expect(addition.added()).toBeNull();
  });

  it('only joins a node given by address: nothing to start, nothing to stop', () => {
    const addition = addNodeSteps(
      { links: new ClusterLinks(OPEN_ACCESS, 500), seeds: [], names: new Map() },
      { addr: '127.0.0.1:7000', host: null, replicaOf: 'redis-1', actor: 'test' },
    );
    expect(addition.steps.map((s) => s.name)).toEqual(['join']);
  });
});

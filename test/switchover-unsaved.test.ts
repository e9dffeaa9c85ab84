import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisLink } from '../src/redis/index.js';
import { safeSwitchover } from '../src/sentinel/index.js';
import type { TestServer } from './helpers.js';
import { freePorts, startServer, tempDir, waitFor } from './helpers.js';

const addr = (port: number) => `127.0.0.1:${String(port)}`;

/**
 * A master started without a config file, as `redis-server --port N` is: CONFIG REWRITE fails
 * for real ("The server is running without a config file"), as it does for an unwritable file.
 */
describe('a switchover whose demotion of the old master cannot be saved', () => {
  let port = 0;
  const started: TestServer[] = [];

  beforeAll(async () => {
    port = await freePorts(3);
    const dir = tempDir('switchover-unsaved');
    started.push(await startServer('redis-server', dir, port, []));
    started.push(
      await startServer('redis-server', dir, port + 1, ['--replicaof', '127.0.0.1', String(port)]),
    );
    started.push(await startServer('redis-sentinel', dir, port + 2, []));
    const sentinel = new RedisLink(addr(port + 2), {
      timeoutMs: 2000,
      password: null,
      connectionName: 'test',
    });
    try {
      await sentinel.call('SENTINEL', 'MONITOR', 'unsaved', '127.0.0.1', String(port), '1');
      await sentinel.call('SENTINEL', 'SET', 'unsaved', 'down-after-milliseconds', '2000');
      // SENTINEL FAILOVER refuses (NOGOODSLAVE) until the sentinel has read, in the replica's
      // own INFO, that its link to the master is up
      await waitFor('the sentinel to see a good replica', 30_000, async () => {
        const replicas = await sentinel.call('SENTINEL', 'REPLICAS', 'unsaved');
        const first: unknown = Array.isArray(replicas) ? replicas[0] : null;
        if (!Array.isArray(first)) return undefined;
        const fields = new Map<unknown, unknown>();
        for (let i = 0; i + 1 < first.length; i += 2) fields.set(first[i], first[i + 1]);
        return fields.get('flags') === 'slave' && fields.get('master-link-status') === 'ok'
          ? true
          : undefined;
      });
    } finally {
      await sentinel.close();
    }
  });

  afterAll(async () => {
    await Promise.all(started.map((s) => s.stop()));
  });

  it('switches, and says the demotion is not saved and what to do', async () => {
    const result = await safeSwitchover({
      masterName: 'unsaved',
      master: addr(port),
      replicas: [addr(port + 1)],
      sentinels: [addr(port + 2)],
      password: null,
      sentinelPassword: null,
    });
    expect(result.newMaster).toBe(addr(port + 1));
    expect(result.unsaved).toMatch(/running without a config file/);
    expect(result.message).toContain(
      `but its demotion is not saved: CONFIG REWRITE failed (${result.unsaved ?? ''}), so a restart brings ${addr(port)} back as a master`,
    );
    expect(result.message).toContain(`add 'replicaof 127.0.0.1 ${String(port + 1)}'`);
    // the demotion itself took place: only saving it failed
    const old = new RedisLink(addr(port), {
      timeoutMs: 2000,
      password: null,
      connectionName: 'test',
    });
    try {
      const role = await old.call('ROLE');
      expect(Array.isArray(role) ? role[0] : role).toBe('slave');
    } finally {
      await old.close();
    }
  });
});

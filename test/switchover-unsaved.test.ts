import { OPEN_ACCESS } from '../src/redis/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deployment } from '../src/deployment/index.js';
import { attach } from '../src/deployment/index.js';
import { agreedMaster } from '../src/model/index.js';
import { RedisLink } from '../src/redis/index.js';
import type { ActionResult } from '../src/server/contract.js';
import { createApp, Hub } from '../src/server/index.js';
import { safeSwitchover } from '../src/sentinel/index.js';
import type { TestServer } from './helpers.js';
import { freePorts, startServer, tempDir, waitFor } from './helpers.js';

const addr = (port: number) => `127.0.0.1:${String(port)}`;
const ADMIN = 'admin-token-0123456789';

/**
 * SENTINEL FAILOVER refuses (NOGOODSLAVE) until the sentinel has read, in the replica's own INFO,
 * that its link to the master is up.
 */
async function goodReplica(sentinel: RedisLink): Promise<void> {
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
}

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
      access: OPEN_ACCESS,
      connectionName: 'test',
    });
    try {
      await sentinel.call('SENTINEL', 'MONITOR', 'unsaved', '127.0.0.1', String(port), '1');
      await sentinel.call('SENTINEL', 'SET', 'unsaved', 'down-after-milliseconds', '2000');
      await goodReplica(sentinel);
    } finally {
      await sentinel.close();
    }
  });

  const opened: { hub: Hub; deployment: Deployment }[] = [];

  afterAll(async () => {
    for (const { hub, deployment } of opened) {
      await hub.close();
      await deployment.close();
    }
    await Promise.all(started.map((s) => s.stop()));
  });

  it('switches, and says the demotion is not saved and what to do', async () => {
    const result = await safeSwitchover({
      masterName: 'unsaved',
      master: addr(port),
      replicas: [addr(port + 1)],
      sentinels: [addr(port + 2)],
      access: OPEN_ACCESS,
      sentinelAccess: OPEN_ACCESS,
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
      access: OPEN_ACCESS,
      connectionName: 'test',
    });
    try {
      const role = await old.call('ROLE');
      expect(Array.isArray(role) ? role[0] : role).toBe('slave');
    } finally {
      await old.close();
    }
  });

  it('through the dashboard: the answer is a warning that says the demotion is not saved', async () => {
    // the master is now the former replica, itself without a config file: switch back to the first
    const sentinel = new RedisLink(addr(port + 2), {
      timeoutMs: 2000,
      access: OPEN_ACCESS,
      connectionName: 'test',
    });
    try {
      await goodReplica(sentinel);
    } finally {
      await sentinel.close();
    }
    const deployment = attach(
      {
        kind: 'sentinel',
        name: 'unsaved',
        masterName: 'unsaved',
        sentinels: [addr(port + 2)],
        nodes: [],
        access: OPEN_ACCESS,
        sentinelAccess: OPEN_ACCESS,
      },
      { timeoutMs: 2000 },
    );
    const hub = new Hub();
    opened.push({ hub, deployment });
    hub.add(deployment);
    await deployment.observer.start();
    await waitFor('the observer to see the switched master', 15_000, async () => {
      const t = await deployment.observer.fresh();
      return agreedMaster(t) === addr(port + 1) ? true : undefined;
    });
    const app = createApp(
      hub,
      {
        adminToken: ADMIN,
        viewerToken: null,
        readOnly: false,
        metricsToken: null,
        metricsPublic: false,
      },
      null,
    );
    const res = await app.request('/api/deployments/unsaved/actions', {
      method: 'POST',
      headers: { Authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'switchover' }),
    });
    const body = (await res.json()) as Partial<ActionResult> & { error?: string };
    expect(res.status, body.error).toBe(200);
    expect(body.warning).toBe(true);
    expect(body.message).toMatch(
      new RegExp(
        `^switched 'unsaved' from ${addr(port + 1)} to ${addr(port)} .*, but its demotion is not saved: CONFIG REWRITE failed`,
      ),
    );
    const logged = hub.events('unsaved').find((e) => e.type === 'quorum:action');
    expect(logged?.detail.outcome).toBe('warning');
  });
});

import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { TestDeployment } from './helpers.js';
import { quorum, startCluster } from './helpers.js';
import { clientFlags } from './tls-support.js';

const run = promisify(execFile);

describe('up --mode cluster --tls: a TLS-only Redis Cluster, bus included', () => {
  let cluster: TestDeployment;
  let files: string[] = [];

  beforeAll(async () => {
    cluster = await startCluster('tls-cluster', ['--tls']);
    expect(cluster.up.code, cluster.up.stderr).toBe(0);
    files = clientFlags(join(cluster.dir, 'tls'));
  });

  afterAll(async () => {
    expect((await cluster.down()).code).toBe(0);
  });

  it('passes redis-cli --tls --cluster check', async () => {
    const { stdout } = await run(
      'redis-cli',
      ['--tls', ...files, '--cluster', 'check', `127.0.0.1:${cluster.port}`],
      { timeout: 20_000 },
    );
    expect(stdout).toContain('[OK] All nodes agree about slots configuration.');
    expect(stdout).toContain('[OK] All 16384 slots covered.');
  });

  it('moves slots with their keys between TLS nodes (MIGRATE over tls-cluster)', async () => {
    const tls = join(cluster.dir, 'tls');
    const client = new Cluster([{ host: '127.0.0.1', port: cluster.port }], {
      redisOptions: {
        tls: {
          ca: readFileSync(join(tls, 'ca.crt')),
          cert: readFileSync(join(tls, 'quorum.crt')),
          key: readFileSync(join(tls, 'quorum.key')),
        },
        connectTimeout: 5000,
      },
      slotsRefreshTimeout: 5000,
    });
    client.on('error', () => undefined);
    try {
      for (let i = 0; i < 200; i++) await client.set(`k${i}`, String(i));
      const moved = await quorum([
        'cluster',
        'reshard',
        '--dir',
        cluster.dir,
        '--from',
        'redis-1',
        '--to',
        'redis-2',
        '--slots',
        '100',
        '--yes',
        '--json',
      ]);
      expect(moved.code, moved.stderr).toBe(0);
      expect(JSON.parse(moved.stdout)).toMatchObject({ slotsMoved: 100 });
      const check = await quorum(['cluster', 'check', '--dir', cluster.dir, '--json']);
      expect(check.code, check.stdout).toBe(0);
      for (let i = 0; i < 200; i++) expect(await client.get(`k${i}`)).toBe(String(i));
      const status = await quorum(['status', '--json', '--dir', cluster.dir]);
      const parsed = z
        .object({ deployments: z.array(z.object({ tls: z.boolean(), healthy: z.boolean() })) })
        .parse(JSON.parse(status.stdout));
      expect(parsed.deployments[0]).toEqual({ tls: true, healthy: true });
    } finally {
      client.disconnect();
    }
  });
});

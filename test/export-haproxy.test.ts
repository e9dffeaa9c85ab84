import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlClient, readState } from '../src/local/index.js';
import type { TestDeployment } from './helpers.js';
import { explainFailover, freePorts, quorum, sleep, startDeployment, waitFor } from './helpers.js';

/** A real HAProxy in the foreground on the given config; stopped by the test. */
function haproxy(config: string): ChildProcess {
  const child = spawn('haproxy', ['-f', config, '-db'], { stdio: 'ignore' });
  return child;
}

/** The port of the node a new connection through `port` lands on, or null when refused. */
async function landsOn(port: number): Promise<number | null> {
  const c = new Redis({
    port,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  c.on('error', () => undefined);
  try {
    await c.connect();
    const info = await c.info('server');
    return Number(/tcp_port:(\d+)/.exec(info)?.[1] ?? NaN);
  } catch {
    return null;
  } finally {
    c.disconnect();
  }
}

describe('quorum export haproxy, with a real HAProxy', () => {
  let deployment: TestDeployment;
  const children: ChildProcess[] = [];
  let hardened = 0;
  let naive = 0;

  beforeAll(async () => {
    deployment = await startDeployment('haproxy', ['--no-dashboard', '--down-after', '2000']);
    expect(deployment.up.code).toBe(0);
    const ports = await freePorts(4);
    [hardened, naive] = [ports, ports + 2];
    for (const [port, flags, file] of [
      [hardened, [], 'hardened.cfg'],
      [naive, ['--naive'], 'naive.cfg'],
    ] as const) {
      const out = join(deployment.dir, file);
      const run = await quorum([
        'export',
        'haproxy',
        '--dir',
        deployment.dir,
        '--bind',
        '127.0.0.1',
        '--write-port',
        String(port),
        '--read-port',
        String(port + 1),
        ...flags,
        '-o',
        out,
      ]);
      expect(run.code).toBe(0);
      children.push(haproxy(out));
    }
  });

  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    expect((await deployment.down()).code).toBe(0);
  });

  it('writes a config HAProxy accepts, whose write port reaches the master and read port a replica', async () => {
    const check = await new Promise<number | null>((resolve) => {
      const c = spawn('haproxy', ['-c', '-f', join(deployment.dir, 'hardened.cfg')], {
        stdio: 'ignore',
      });
      c.on('exit', (code) => resolve(code));
    });
    expect(check).toBe(0);
    for (const port of [hardened, naive]) {
      await waitFor(`HAProxy on ${port} to route writes to the master`, 15_000, async () =>
        (await landsOn(port)) === deployment.port ? true : undefined,
      );
      // HAProxy starts every server as up, so the first reads may reach the master until the
      // first checks fail
      await waitFor(`HAProxy on ${port + 1} to route reads to a replica`, 15_000, async () => {
        const read = await landsOn(port + 1);
        return read !== null && read !== deployment.port ? true : undefined;
      });
    }
  });

  it('sends an old master restarted empty as a master no writes, where the naive config sends it some', async () => {
    const old = deployment.port;
    expect((await quorum(['node', 'kill', 'redis-1', '--dir', deployment.dir])).code).toBe(0);
    const state = readState(deployment.dir);
    if (!state?.supervisor) throw new Error('no supervisor');
    const control = controlClient(state.supervisor.socket);
    // Sentinel's pace: an election lost on a starved machine is retried 20 s later
    await explainFailover(deployment.dir, () =>
      waitFor('the failover', 45_000, async () => {
        const status = await quorum(['status', '--json', '--dir', deployment.dir]);
        const master = (JSON.parse(status.stdout) as { deployments: { master: string }[] })
          .deployments[0]?.master;
        return master && master !== `127.0.0.1:${old}` ? true : undefined;
      }),
    );
    await control.act('start-empty-master', 'redis-1', 'test');
    // new connections for 6 s, while the empty old master says role:master
    const landed = {
      hardened: new Map<number | null, number>(),
      naive: new Map<number | null, number>(),
    };
    const until = Date.now() + 6000;
    while (Date.now() < until) {
      for (const [which, port] of [
        ['hardened', hardened],
        ['naive', naive],
      ] as const) {
        const at = await landsOn(port);
        landed[which].set(at, (landed[which].get(at) ?? 0) + 1);
      }
      await sleep(100);
    }
    console.log(
      `connections on the empty old master: hardened ${landed.hardened.get(old) ?? 0}, naive ${landed.naive.get(old) ?? 0}`,
    );
    expect(landed.hardened.get(old) ?? 0).toBe(0);
    expect(landed.naive.get(old) ?? 0).toBeGreaterThan(0);
    // the hardened one still sends writes to the master the sentinels agree on
    expect([...landed.hardened.keys()].some((p) => p !== null && p !== old)).toBe(true);
  });
});

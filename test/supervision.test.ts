import { OPEN_ACCESS } from '../src/redis/index.js';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createConnection } from 'node:net';
import { describe, expect, it } from 'vitest';
import { pidAlive, readState } from '../src/local/index.js';
import { RedisLink } from '../src/redis/index.js';
import { BIN, freePorts, quorum, startDeployment, tempDir, waitFor } from './helpers.js';

function livePids(dir: string): number[] {
  return (readState(dir)?.processes ?? []).flatMap((p) =>
    p.pid !== null && pidAlive(p.pid) ? [p.pid] : [],
  );
}

describe('the supervisor', () => {
  it('in the foreground, stops every process it started on Ctrl-C', async () => {
    const dir = tempDir('fg');
    const port = await freePorts(60);
    const child = spawn(
      process.execPath,
      [BIN, 'up', '--dir', dir, '--port', String(port), '--sentinel-port', String(port + 50)],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => resolve(code)),
    );
    try {
      await waitFor('the foreground up to be healthy', 60_000, () =>
        out.includes('supervising') ? true : undefined,
      );
      expect(out).toMatch(/deployment 'mymaster' is healthy after \d+\.\d s/);
      const pids = livePids(dir);
      expect(pids).toHaveLength(6);
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      for (const pid of pids) expect(pidAlive(pid)).toBe(false);
      expect(readState(dir)?.status).toBe('stopped');
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('leaves no process behind when it is killed with SIGKILL, and the next up resumes the same deployment', async () => {
    const { dir, port, up } = await startDeployment('crash', ['--replicas', '1']);
    expect(up.code).toBe(0);
    const state = readState(dir);
    const supervisor = state?.supervisor?.pid ?? 0;
    const pids = livePids(dir);
    expect(pids).toHaveLength(5);
    process.kill(supervisor, 'SIGKILL');
    // the kernel sends each child SIGTERM when its parent dies (setpriv --pdeathsig)
    await waitFor('every child to exit', 15_000, () =>
      pids.every((pid) => !pidAlive(pid)) ? true : undefined,
    );

    const conflicting = await quorum([
      'up',
      '--detach',
      '--dir',
      dir,
      '--port',
      String(port),
      '--sentinel-port',
      String(port + 50),
      '--replicas',
      '2',
    ]);
    expect(conflicting.code).toBe(2);
    expect(conflicting.stderr).toMatch(
      /holds the deployment 'mymaster' made with --replicas 1; start it as it is/,
    );

    // a flag given to up on an existing dir is refused when it contradicts it, never ignored
    const noProxy = await quorum(['up', '--detach', '--dir', dir, '--no-proxy']);
    expect(noProxy.code).toBe(2);
    expect(noProxy.stderr).toContain(
      `holds the deployment 'mymaster' made with its proxy on port ${String(port + 2)}; start it as it is (without --no-proxy)`,
    );

    const resumed = await quorum(['up', '--detach', '--dir', dir]);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain('is healthy');
    // the dashboard's URL, printed once by up, is in status too
    const status = await quorum(['status', '--dir', dir]);
    expect(status.stdout).toMatch(/\ndashboard: http:\/\/127\.0\.0\.1:\d+\/\?token=\S+\n/);
    expect(resumed.stdout).toContain(`127.0.0.1:${port + 1}`);
    expect(livePids(dir)).toHaveLength(5);

    const down = await quorum(['down', '--dir', dir, '--purge']);
    expect(down.code).toBe(0);
    expect(down.stdout).toContain('stopped and deleted');
    expect(existsSync(dir)).toBe(false);
    const again = await quorum(['down', '--dir', dir]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('nothing to stop');
  });

  it('with --autorestart brings a killed process back; with --password every node and sentinel requires it', async () => {
    const { dir, port, up } = await startDeployment('auto', [
      '--autorestart',
      '--password',
      'hunter2',
    ]);
    expect(up.code).toBe(0);
    try {
      expect(up.stdout + up.stderr).not.toContain('hunter2');
      for (const p of [port, port + 50]) {
        const anonymous = new RedisLink(`127.0.0.1:${p}`, {
          timeoutMs: 1000,
          access: OPEN_ACCESS,
          connectionName: 'test',
        });
        await expect(anonymous.call('PING')).rejects.toThrow(/requires a password/);
        await anonymous.close();
      }
      const before = readState(dir)?.processes.find((p) => p.name === 'redis-2')?.pid ?? 0;
      expect((await quorum(['node', 'kill', 'redis-2', '--dir', dir])).code).toBe(0);
      const after = await waitFor('redis-2 to be restarted', 20_000, () => {
        const pid = readState(dir)?.processes.find((p) => p.name === 'redis-2')?.pid;
        return pid && pid !== before && pidAlive(pid) ? pid : undefined;
      });
      expect(after).not.toBe(before);
      await waitFor('a healthy status', 20_000, async () =>
        (await quorum(['status', '--dir', dir])).code === 0 ? true : undefined,
      );
      const events = (await quorum(['events', '--dir', dir, '--type', 'quorum:'])).stdout;
      expect(events).toContain('quorum:process-exited');
      expect(events).toMatch(/quorum:action\s+started redis-2/);
    } finally {
      expect((await quorum(['down', '--dir', dir])).code).toBe(0);
    }
  });

  it('starts a crashed master as a replica even at once, refuses to start a frozen node, and is not held up by a silent control client', async () => {
    const { dir, port, up, down } = await startDeployment('quick', ['--down-after', '2000']);
    expect(up.code).toBe(0);
    try {
      expect((await quorum(['node', 'kill', 'redis-1', '--dir', dir])).code).toBe(0);
      // started before any sentinel noticed the crash: it must wait for the failover, not come
      // back as the master with its old data
      const start = await quorum(['node', 'start', 'redis-1', '--dir', dir]);
      expect(start.code).toBe(0);
      expect(start.stdout).toMatch(
        /started redis-1 \(127\.0\.0\.1:\d+\) as a replica of 127\.0\.0\.1:\d+/,
      );
      const status = JSON.parse((await quorum(['status', '--json', '--dir', dir])).stdout) as {
        deployments: { master: string }[];
      };
      expect(status.deployments[0]?.master).not.toBe(`127.0.0.1:${port}`);

      expect((await quorum(['node', 'freeze', 'redis-2', '--dir', dir])).code).toBe(0);
      const frozen = await quorum(['node', 'start', 'redis-2', '--dir', dir]);
      expect(frozen.code).toBe(1);
      expect(frozen.stderr).toContain('is frozen; thaw it instead of starting it');
      expect((await quorum(['node', 'thaw', 'redis-2', '--dir', dir])).code).toBe(0);

      const socketPath = readState(dir)?.supervisor?.socket ?? '';
      const silent = createConnection({ path: socketPath });
      silent.on('error', () => undefined);
      await new Promise((r) => silent.once('connect', r));
      const stopped = await down();
      silent.destroy();
      expect(stopped.stdout).toContain('stopped every process');
    } finally {
      await down();
    }
  });
});

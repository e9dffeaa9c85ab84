import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { endOfSuite } from './global-setup.js';
import { waitFor } from './helpers.js';
import { killLeaks, MARK, processesOf } from './leaks.js';

/**
 * A process that double-forks away from us, with the mark of `root` and its working directory
 * elsewhere: the kind of survivor (a detached supervisor, haproxy) a working-directory check missed.
 */
function detachedSleeper(root: string): number {
  const started = spawnSync('setsid', ['sh', '-c', 'sleep 300 >/dev/null 2>&1 & echo $!'], {
    cwd: '/',
    env: { ...process.env, [MARK]: root },
    encoding: 'utf8',
    timeout: 5000,
  });
  const pid = Number(started.stdout.trim());
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`no sleeper: ${started.stderr}`);
  return pid;
}

describe('the suite finds every process it started', () => {
  const roots: string[] = [];
  const fakeRoot = () => {
    const root = mkdtempSync(join(tmpdir(), 'quorum-leak-'));
    roots.push(root);
    return root;
  };

  afterEach(async () => {
    for (const root of roots.splice(0)) {
      await killLeaks(root);
      spawnSync('chattr', ['-R', '-i', root], { timeout: 5000 });
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("marks this worker, so every child inherits the project's test root", async () => {
    expect(process.env[MARK]).toBe(inject('testRoot'));
    const child = spawn('sleep', ['30'], { cwd: '/' });
    try {
      expect(processesOf(inject('testRoot')).map((p) => p.pid)).toContain(child.pid);
    } finally {
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('close', resolve));
    }
  });

  it('sees a double-forked process outside the test root, and kills it', async () => {
    const root = fakeRoot();
    const pid = detachedSleeper(root);
    expect(processesOf(root)).toEqual([{ pid, cmd: 'sleep 300' }]);
    expect((await killLeaks(root)).killed.map((l) => l.pid)).toEqual([pid]);
    await waitFor('the sleeper gone', 5000, () =>
      processesOf(root).length === 0 ? true : undefined,
    );
  });

  it("fails the suite's teardown naming what survived, after killing it", async () => {
    const root = fakeRoot();
    const pid = detachedSleeper(root);
    await expect(endOfSuite(root)).rejects.toThrow(
      `1 process(es) survived the suite: ${String(pid)} sleep 300`,
    );
    expect(existsSync(root)).toBe(false);
    await waitFor('the sleeper gone', 5000, () =>
      processesOf(root).length === 0 ? true : undefined,
    );
    // a clean root passes
    await expect(endOfSuite(fakeRoot())).resolves.toBeUndefined();
  });

  it('kills again what a restarting supervisor starts after the first kill', async () => {
    const root = fakeRoot();
    // the restarter is not ours (no mark, cwd /); each child it starts is, the next one as soon
    // as the last is reaped
    const started = spawnSync(
      'setsid',
      [
        'env',
        '-u',
        MARK,
        'sh',
        '-c',
        `(for i in 1 2 3; do ${MARK}=${root} sleep 300; done) >/dev/null 2>&1 & echo $!`,
      ],
      { cwd: '/', encoding: 'utf8', timeout: 5000 },
    );
    const restarter = Number(started.stdout.trim());
    await waitFor('the first child', 5000, () =>
      processesOf(root).length === 1 ? true : undefined,
    );
    try {
      await expect(endOfSuite(root)).rejects.toThrow('3 process(es) survived the suite');
      // nothing of the root runs once the teardown returned: no wait here
      expect(processesOf(root)).toEqual([]);
    } finally {
      process.kill(restarter, 'SIGKILL');
    }
  });

  it('throws the leak error even when the root cannot be removed, and says both', async () => {
    const root = fakeRoot();
    writeFileSync(join(root, 'pinned'), '');
    expect(spawnSync('chattr', ['+i', join(root, 'pinned')]).status).toBe(0);
    const pid = detachedSleeper(root);
    const ending = endOfSuite(root);
    await expect(ending).rejects.toThrow(`1 process(es) survived the suite: ${String(pid)}`);
    await expect(ending).rejects.toThrow(`the test root ${root} could not be removed`);
  });
});

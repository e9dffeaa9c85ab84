import { OPEN_ACCESS } from '../src/redis/index.js';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QuorumEvent } from '../src/model/index.js';
import { pidAlive, readState } from '../src/local/index.js';
import { Observer } from '../src/observer/index.js';
import type { RunResult } from './helpers.js';
import {
  BIN,
  explainFailover,
  masterOf,
  quorum,
  startDeployment,
  viewGist,
  waitFor,
} from './helpers.js';
import { agreedMaster } from '../src/model/index.js';

const DOWN_AFTER_MS = 3000;

interface StatusJson {
  deployments: {
    name: string;
    kind: string;
    master: string | null;
    healthy: boolean;
    nodes: {
      addr: string;
      role: string;
      up: boolean;
      name?: string;
      replication: { masterAddr: string | null; linkUp: boolean | null };
    }[];
    sentinels: { addr: string; up: boolean; masterAddr: string | null }[];
    links: {
      addr: string;
      purpose: string;
      state: string;
      since: string;
      lastError: string | null;
    }[];
  }[];
}

describe('a local Sentinel deployment, launched and observed', () => {
  let dir = '';
  let port = 0;
  let up: RunResult;

  beforeAll(async () => {
    ({ dir, port, up } = await startDeployment('launch', ['--down-after', String(DOWN_AFTER_MS)]));
    expect(up.stderr + up.stdout).toContain('is healthy');
    expect(up.code).toBe(0);
  });

  afterAll(async () => {
    const state = readState(dir);
    const down = await quorum(['down', '--dir', dir]);
    expect(down.code).toBe(0);
    for (const proc of state?.processes ?? [])
      if (proc.pid !== null) expect(pidAlive(proc.pid)).toBe(false);
    if (state?.supervisor) expect(pidAlive(state.supervisor.pid)).toBe(false);
  });

  it('reaches healthy, and status --json shows 1 master, 2 replicas and 3 sentinels agreeing', async () => {
    console.log(`up --detach to healthy: ${up.ms} ms`);
    const status = await quorum(['status', '--json', '--dir', dir]);
    expect(status.code).toBe(0);
    const json = JSON.parse(status.stdout) as StatusJson;
    const [deployment] = json.deployments;
    expect(deployment?.kind).toBe('sentinel');
    expect(deployment?.healthy).toBe(true);
    const master = `127.0.0.1:${port}`;
    expect(deployment?.master).toBe(master);
    expect(deployment?.nodes.filter((n) => n.role === 'master').map((n) => n.addr)).toEqual([
      master,
    ]);
    const replicas = deployment?.nodes.filter((n) => n.role === 'replica') ?? [];
    expect(replicas).toHaveLength(2);
    for (const r of replicas)
      expect(r.replication).toMatchObject({ masterAddr: master, linkUp: true });
    expect(deployment?.sentinels).toHaveLength(3);
    for (const s of deployment?.sentinels ?? [])
      expect(s).toMatchObject({ up: true, masterAddr: master });
    expect(deployment?.nodes.map((n) => n.name)).toEqual(['redis-1', 'redis-2', 'redis-3']);
    // each process's title names its config file in the dir, so pgrep -fa <dir> finds it
    const processes = readState(dir)?.processes ?? [];
    expect(processes).toHaveLength(6);
    for (const p of processes)
      expect(readFileSync(`/proc/${String(p.pid)}/cmdline`, 'utf8')).toContain(dir);
  });

  it('refuses to start twice in the same dir, and says so', async () => {
    const again = await quorum([
      'up',
      '--detach',
      '--dir',
      dir,
      '--port',
      String(port),
      '--sentinel-port',
      String(port + 50),
    ]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already running in .* \(supervisor pid \d+/);
    expect(again.stderr).not.toMatch(/\n\s+at /);
  });

  it('after kill -9 of the master reports +sdown, +odown, +switch-master in order and the new master', async () => {
    const state = readState(dir);
    const sentinels = (state?.processes ?? [])
      .filter((p) => p.kind === 'sentinel')
      .map((p) => `127.0.0.1:${p.port}`);
    const observer = new Observer({
      kind: 'sentinel',
      name: 'mymaster',
      masterName: 'mymaster',
      sentinels,
      nodes: [],
      access: OPEN_ACCESS,
      sentinelAccess: OPEN_ACCESS,
    });
    const events: QuorumEvent[] = [];
    observer.bus.on('event', (e) => events.push(e));
    const watch = spawn(process.execPath, [BIN, 'status', '--watch', '--json', '--dir', dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let watched = '';
    watch.stdout.on('data', (chunk: Buffer) => (watched += chunk.toString()));
    try {
      const old = agreedMaster(await observer.start());
      expect(old).toBe(`127.0.0.1:${port}`);
      await waitFor('status --watch to start', 10_000, () =>
        watched.includes('"deployments"') ? true : undefined,
      );
      const kill = await quorum(['node', 'kill', 'redis-1', '--dir', dir]);
      expect(kill.stdout).toContain('killed redis-1');
      const killedAt = Date.now();
      const newMaster = await explainFailover(
        dir,
        () =>
          waitFor('a new agreed master', DOWN_AFTER_MS + 45_000, () => {
            const master = masterOf(observer.current());
            return master && master !== old ? master : undefined;
          }),
        () =>
          `observer: ${viewGist(observer.current())}; events: ${events.map((e) => `${e.type} ${e.subject?.addr ?? ''}`).join(', ')}`,
      );
      const elapsed = Date.now() - killedAt;
      console.log(
        `kill -9 -> observer's new master ${newMaster}: ${elapsed} ms (down-after ${DOWN_AFTER_MS} ms)`,
      );
      // not before Sentinel could call it down; how soon after is Sentinel's pace (an election
      // lost on a starved machine is retried after 2 x failover-timeout), measured in bench/
      expect(elapsed).toBeGreaterThanOrEqual(DOWN_AFTER_MS - 1000);
      expect([`127.0.0.1:${port + 1}`, `127.0.0.1:${port + 2}`]).toContain(newMaster);

      const types = events.map((e) => e.type);
      const sdown = events.findIndex((e) => e.type === '+sdown' && e.subject?.type === 'master');
      const odown = types.indexOf('+odown');
      const switched = events.findIndex((e) => e.type === '+switch-master');
      expect(sdown).toBeGreaterThanOrEqual(0);
      expect(odown).toBeGreaterThan(sdown);
      expect(switched).toBeGreaterThan(odown);
      expect(events[switched]?.switch).toEqual({
        masterName: 'mymaster',
        from: old,
        to: newMaster,
      });

      await waitFor('status --watch to print +switch-master', 5000, () =>
        watched.includes('"+switch-master"') ? true : undefined,
      );
      const log = await waitFor(
        'the stored event log to hold the failover, seen by all 3 sentinels',
        15_000,
        async () => {
          const stored = JSON.parse(
            (await quorum(['events', '--json', '--dir', dir])).stdout,
          ) as QuorumEvent[];
          // the leader reports +switch-master last, after reconfiguring the replicas
          return stored.find((e) => e.type === '+switch-master')?.reports.length === 3
            ? stored
            : undefined;
        },
      );
      const order = ['+sdown', '+odown', '+switch-master'].map((t) =>
        log.findIndex((e) => e.type === t),
      );
      expect(order).toEqual([...order].sort((a, b) => a - b));
      expect(
        log.some((e) => e.type === 'quorum:action' && e.message.includes('killed redis-1')),
      ).toBe(true);
    } finally {
      watch.kill('SIGINT');
      await observer.stop();
    }
  });

  it('starts the old master again with node start, and it rejoins as a replica of the new master', async () => {
    const start = await quorum(['node', 'start', 'redis-1', '--dir', dir]);
    expect(start.code).toBe(0);
    expect(start.stdout).toMatch(/as a replica of 127\.0\.0\.1:\d+/);
    const status = await waitFor('redis-1 to be a linked replica', 20_000, async () => {
      const json = JSON.parse(
        (await quorum(['status', '--json', '--dir', dir])).stdout,
      ) as StatusJson;
      const node = json.deployments[0]?.nodes.find((n) => n.addr === `127.0.0.1:${port}`);
      return node?.role === 'replica' && node.replication.linkUp === true ? json : undefined;
    });
    const master = status.deployments[0]?.master;
    expect(master).not.toBe(`127.0.0.1:${port}`);
    expect(
      status.deployments[0]?.nodes.find((n) => n.addr === `127.0.0.1:${port}`)?.replication
        .masterAddr,
    ).toBe(master);
  });

  it('restarts a sentinel with node restart, and it rejoins the agreement; events --follow sees it', async () => {
    const follower = spawn(
      process.execPath,
      [BIN, 'events', '--dir', dir, '--follow', '--json', '--type', 'quorum:action'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let followed = '';
    follower.stdout.on('data', (c: Buffer) => (followed += c.toString()));
    const ended = new Promise<number | null>((done) => follower.once('exit', (code) => done(code)));
    const before = followed.length;
    const restart = await quorum(['node', 'restart', 'sentinel-2', '--dir', dir]);
    expect(restart.code).toBe(0);
    expect(restart.stdout).toContain('started sentinel-2');
    try {
      // one event per line, as it is written, after what was there before
      await waitFor('events --follow to print the restart', 10_000, () =>
        followed.slice(before).includes('sentinel-2') ? true : undefined,
      );
      const lines = followed.trim().split('\n');
      for (const line of lines)
        expect((JSON.parse(line) as QuorumEvent).type).toBe('quorum:action');
    } finally {
      follower.kill('SIGTERM');
    }
    expect(await ended).toBe(0);
    await waitFor('a healthy status', 20_000, async () =>
      (await quorum(['status', '--dir', dir])).code === 0 ? true : undefined,
    );
  });

  it('status --watch on a terminal redraws the table in place as it changes, with the latest events', async () => {
    // a pseudo-terminal (util-linux script) makes stdout a TTY, as in a user's shell
    const watcher = spawn(
      'script',
      ['-qfec', `${process.execPath} ${BIN} status --watch --dir ${dir}`, '/dev/null'],
      { stdio: ['pipe', 'pipe', 'pipe'], detached: true },
    );
    let out = '';
    watcher.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const ended = new Promise<void>((done) => watcher.once('exit', () => done()));
    const draws = () => out.split('\x1b[2J').slice(1);
    try {
      await waitFor('the first drawing of the table', 15_000, () =>
        draws().some((d) => d.includes('latest events')) ? true : undefined,
      );
      expect((await quorum(['node', 'stop', 'sentinel-3', '--dir', dir])).code).toBe(0);
      // redrawn, not appended: a later drawing shows the sentinel down among the latest events
      await waitFor('a drawing with sentinel-3 down', 20_000, () =>
        draws().some((d) => d.includes('quorum:sentinel-down') && d.includes('latest events'))
          ? true
          : undefined,
      );
    } finally {
      if (watcher.pid !== undefined) process.kill(-watcher.pid, 'SIGTERM');
      await ended;
      // back for the tests after, whatever happened above (its own failure is the one to see)
      await quorum(['node', 'start', 'sentinel-3', '--dir', dir]);
    }
    await waitFor('a healthy status', 20_000, async () =>
      (await quorum(['status', '--dir', dir])).code === 0 ? true : undefined,
    );
  });

  it('restarts a process that is not running by starting it, and records only the start', async () => {
    expect((await quorum(['node', 'stop', 'sentinel-3', '--dir', dir])).code).toBe(0);
    const restart = await quorum(['node', 'restart', 'sentinel-3', '--dir', dir]);
    expect(restart.code, restart.stderr).toBe(0);
    expect(restart.stdout).toContain('started sentinel-3');
    expect(restart.stdout).toContain('(it was not running)');
    const messages = readFileSync(join(dir, 'events.jsonl'), 'utf8')
      .split('\n')
      .filter((line) => line.includes('sentinel-3'));
    expect(messages.some((line) => line.includes('for a restart'))).toBe(false);
    expect(messages.some((line) => line.includes('started sentinel-3'))).toBe(true);
    await waitFor('a healthy status', 20_000, async () =>
      (await quorum(['status', '--dir', dir])).code === 0 ? true : undefined,
    );
  });

  it('status shows the link to a stopped sentinel as down with the reason, and ready once it is started', async () => {
    const sentinel3 = readState(dir)?.processes.find((p) => p.name === 'sentinel-3');
    const addr = `127.0.0.1:${String(sentinel3?.port)}`;
    const linkTo = async () => {
      const json = JSON.parse(
        (await quorum(['status', '--json', '--dir', dir])).stdout,
      ) as StatusJson;
      return json.deployments[0]?.links.find((l) => l.purpose === 'sentinel' && l.addr === addr);
    };
    expect(await linkTo()).toMatchObject({ state: 'ready', lastError: null });
    expect((await quorum(['node', 'stop', 'sentinel-3', '--dir', dir])).code).toBe(0);
    try {
      const link = await linkTo();
      expect(link?.state).toBe('down');
      expect(link?.lastError).toMatch(/refused the connection/);
      expect(Number.isNaN(Date.parse(link?.since ?? ''))).toBe(false);
      const human = await quorum(['status', '--dir', dir]);
      expect(human.stdout).toMatch(new RegExp(`sentinel ${addr}: down \\(since [0-9.]+ s\\)`));
    } finally {
      expect((await quorum(['node', 'start', 'sentinel-3', '--dir', dir])).code).toBe(0);
    }
    expect(await linkTo()).toMatchObject({ state: 'ready', lastError: null });
    await waitFor('a healthy status', 20_000, async () =>
      (await quorum(['status', '--dir', dir])).code === 0 ? true : undefined,
    );
  });

  it('names the known processes when asked for one that does not exist', async () => {
    const bad = await quorum(['node', 'stop', 'redis-9', '--dir', dir]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("no process 'redis-9'");
    expect(bad.stderr).toContain('redis-1 (127.0.0.1:');
  });
});

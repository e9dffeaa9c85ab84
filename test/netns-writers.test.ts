import { OPEN_ACCESS } from '../src/redis/index.js';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetnsWriters } from '../src/drill/netns-workload.js';
import type { NetnsWorkloadSpec } from '../src/drill/workload-wire.js';
import { labUnavailable } from '../src/local/index.js';
import { freePorts, tempDir, waitFor } from './helpers.js';

const why = labUnavailable();

/** The writers' process: our child running workload-main (ip netns exec runs it in its place). */
function writerPid(): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid) continue;
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('workload-main'))
        return Number(entry);
    } catch {
      // gone
    }
  }
  return undefined;
}

describe.skipIf(why !== null)(
  `the drill's writers in a network namespace (${why ?? 'root and ip are here'})`,
  () => {
    const ns = `quorum-test-writers-${process.pid}`;
    let redis: ChildProcess;
    let spec: NetnsWorkloadSpec;

    beforeAll(async () => {
      expect(spawnSync('ip', ['netns', 'add', ns]).status).toBe(0);
      expect(spawnSync('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up']).status).toBe(
        0,
      );
      const port = await freePorts(1);
      const dir = tempDir('netns-writers');
      redis = spawn(
        'ip',
        [
          'netns',
          'exec',
          ns,
          'redis-server',
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--save',
          '',
          '--dir',
          dir,
        ],
        { cwd: dir, stdio: 'ignore' },
      );
      await waitFor('redis-server in the namespace', 10_000, () =>
        spawnSync('ip', ['netns', 'exec', ns, 'redis-cli', '-p', String(port), 'PING'], {
          encoding: 'utf8',
          timeout: 5000,
        }).stdout.trim() === 'PONG'
          ? true
          : undefined,
      );
      // plain clients of one address: the namespace's own redis-server, as a proxy's write port
      const at = `127.0.0.1:${port}`;
      spec = {
        kind: 'sentinel',
        options: {
          sentinels: [],
          masterName: 'mymaster',
          access: OPEN_ACCESS,
          sentinelAccess: OPEN_ACCESS,
          writers: 2,
          rate: 200,
          readers: 1,
          timeoutMs: 1000,
          key: 'drill:netns',
          via: 'proxy',
          nodes: [],
          proxy: { write: at, read: at },
        },
      };
    });

    afterAll(async () => {
      if (redis.exitCode === null && redis.signalCode === null) {
        const gone = new Promise((resolve) => redis.once('exit', resolve));
        redis.kill('SIGKILL');
        await gone;
      }
      spawnSync('ip', ['netns', 'del', ns]);
    });

    it('brings back a whole ledger: every write of every writer, numbered without a hole', async () => {
      const writers = new NetnsWriters(ns, spec);
      try {
        await writers.start();
        await waitFor('200 writes', 20_000, () =>
          writers.ledger.writes.length >= 200 ? true : undefined,
        );
      } finally {
        await writers.stop();
      }
      const { writes } = writers.ledger;
      expect(writes.every((w) => w.outcome === 'ack' && w.key === 'drill:netns')).toBe(true);
      for (const writer of [0, 1]) {
        const seqs = writes
          .filter((w) => w.writer === writer)
          .map((w) => Number(w.value.split(':')[1]));
        expect(seqs.sort((a, b) => a - b)).toEqual(seqs.map((_, i) => i));
      }
    });

    it('fails the run when the writers crash, rather than report what reached the pipe', async () => {
      const writers = new NetnsWriters(ns, spec);
      try {
        await writers.start();
        await waitFor('some writes', 20_000, () =>
          writers.ledger.writes.length >= 20 ? true : undefined,
        );
        const pid = await waitFor('the writers process', 5000, writerPid);
        process.kill(pid, 'SIGKILL');
      } finally {
        await expect(writers.stop()).rejects.toThrow(
          `the drill's writers in ${ns} exited with SIGKILL`,
        );
      }
      expect(writers.state).toBe('stopped');
    });
  },
);

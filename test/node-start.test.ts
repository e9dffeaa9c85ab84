import { OPEN_ACCESS } from '../src/redis/index.js';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisLink } from '../src/redis/index.js';
import type { RunResult, TestDeployment } from './helpers.js';
import { BIN, quorum, startDeployment, waitFor } from './helpers.js';

/**
 * `node start` of a crashed master while the sentinels can still replace it. Sentinel promotes
 * no replica with `replica-priority 0`: its failover attempts end in
 * -failover-abort-no-good-slave and are retried every 2 x failover-timeout while the master
 * stays o_down, which holds a failover pending for as long as a test needs, as a lost election
 * does by chance.
 */
const DOWN_AFTER_MS = 1000;
const FAILOVER_TIMEOUT_MS = 2000;
/** Until then the old `node start` waited before starting the old master as a master. */
const OLD_WAIT_MS = DOWN_AFTER_MS + 5000;

let deployment: TestDeployment;
const addr = (i: number) => `127.0.0.1:${String(deployment.port + i)}`;
const links: RedisLink[] = [];

function link(address: string): RedisLink {
  const l = new RedisLink(address, {
    timeoutMs: 3000,
    access: OPEN_ACCESS,
    connectionName: 'quorum-test',
  });
  links.push(l);
  return l;
}

/** Sets replica-priority on the node and waits until every sentinel has read it. */
async function setPriority(address: string, priority: number): Promise<void> {
  await link(address).call('CONFIG', 'SET', 'replica-priority', String(priority));
  const sentinels = [0, 1, 2].map((i) => link(`127.0.0.1:${String(deployment.port + 50 + i)}`));
  // a sentinel reads a replica's INFO every 10 s, and learns of a restarted replica only from
  // the master's INFO first: two periods can pass the wait below. One second here (not saved)
  for (const s of sentinels) await s.call('SENTINEL', 'DEBUG', 'info-period', '1000');
  await waitFor('every sentinel reads the new replica-priority', 15_000, async () => {
    for (const s of sentinels) {
      const replicas = (await s.call('SENTINEL', 'REPLICAS', 'mymaster')) as string[][];
      const record = replicas.find((r) => `${r[3] ?? ''}:${r[5] ?? ''}` === address);
      const at = record?.indexOf('slave-priority') ?? -1;
      if (record?.[at + 1] !== String(priority)) return undefined;
    }
    return true;
  });
}

/** `quorum node <args>` in the background, with its stderr as it comes. */
function nodeAction(args: string[]): { stderr: () => string; done: Promise<RunResult> } {
  const started = Date.now();
  const child = spawn(process.execPath, [BIN, 'node', ...args, '--dir', deployment.dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<RunResult>((resolve) =>
    child.on('exit', (code) => resolve({ code, stdout, stderr, ms: Date.now() - started })),
  );
  return { stderr: () => stderr, done };
}

async function answers(address: string): Promise<boolean> {
  const probe = new RedisLink(address, {
    timeoutMs: 500,
    access: OPEN_ACCESS,
    connectionName: 'quorum-test',
  });
  try {
    return (await probe.call('PING')) === 'PONG';
  } catch {
    return false;
  } finally {
    await probe.close();
  }
}

describe('node start of a master the sentinels can still replace', () => {
  beforeAll(async () => {
    deployment = await startDeployment('node-start', [
      '--no-dashboard',
      '--no-proxy',
      '--down-after',
      String(DOWN_AFTER_MS),
      '--failover-timeout',
      String(FAILOVER_TIMEOUT_MS),
    ]);
    expect(deployment.up.code, deployment.up.stderr).toBe(0);
  });

  afterAll(async () => {
    await Promise.all(links.map((l) => l.close()));
    await deployment.down();
  });

  it('waits, saying so, past down-after + 5 s, and starts it as a replica of the new master', async () => {
    await setPriority(addr(1), 0);
    await setPriority(addr(2), 0);
    const killed = await quorum(['node', 'kill', 'redis-1', '--dir', deployment.dir]);
    expect(killed.code, killed.stderr).toBe(0);
    const killedAt = Date.now();
    const start = nodeAction(['start', 'redis-1']);
    await waitFor('a progress line from node start', 20_000, () =>
      start.stderr().includes('waiting: the sentinels still name 127.0.0.1:') ? true : undefined,
    );
    // past the point where the old master used to be started as a master again
    await waitFor('the old wait is over', OLD_WAIT_MS + 10_000, () =>
      Date.now() > killedAt + OLD_WAIT_MS + 1000 ? true : undefined,
    );
    expect(await answers(addr(0))).toBe(false);
    // status says what the killed node was, once, and how it comes back
    const status = await quorum(['status', '--dir', deployment.dir]);
    expect(status.stdout).toMatch(
      new RegExp(`redis-1 +${addr(0).replace(/\./g, '\\.')} +was master +down`),
    );
    expect(status.stdout).toContain(
      `start it again: quorum node start redis-1 --dir ${deployment.dir}`,
    );
    expect(status.stdout.match(/refused the connection/g)).toHaveLength(1);
    await setPriority(addr(1), 100);
    const result = await start.done;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`as a replica of ${addr(1)}`);
  }, 90_000);

  it('gives up with one sentence and leaves the node stopped when no failover comes', async () => {
    const healthy = () => quorum(['status', '--dir', deployment.dir]);
    await waitFor('healthy again', 30_000, async () =>
      (await healthy()).code === 0 ? true : undefined,
    );
    await setPriority(addr(0), 0);
    await setPriority(addr(2), 0);
    const killed = await quorum(['node', 'kill', 'redis-2', '--dir', deployment.dir]);
    expect(killed.code, killed.stderr).toBe(0);
    const result = await quorum(['node', 'start', 'redis-2', '--dir', deployment.dir], {
      timeoutMs: 60_000,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^quorum: not starting 127\.0\.0\.1:\d+: \d+ s after it went down the sentinels still name it, flagged o_down, with no new master/m,
    );
    expect(result.stderr.trim().split('\n').at(-1)).toContain("run 'quorum failover'");
    expect(await answers(addr(1))).toBe(false);
    // leave it healthy: a replica Sentinel may promote, then the old master back as a replica
    await link(addr(0)).call('CONFIG', 'SET', 'replica-priority', '100');
    await waitFor('a new master', 30_000, async () => {
      const status = await quorum(['status', '--json', '--dir', deployment.dir]);
      return status.stdout.includes(`"master": "${addr(0)}"`) ? true : undefined;
    });
    const restarted = await quorum(['node', 'start', 'redis-2', '--dir', deployment.dir], {
      timeoutMs: 60_000,
    });
    expect(restarted.code, restarted.stderr).toBe(0);
    expect(restarted.stdout).toContain(`as a replica of ${addr(0)}`);
  }, 120_000);
});

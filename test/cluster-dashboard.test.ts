import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Cluster } from 'ioredis';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keySlot } from '../src/model/slots.js';
import type { DeploymentState, DrillsState, JobRecord } from '../src/server/contract.js';
import { launchBrowser } from './browser.js';
import { clusterPorts, clusterShards, quorum, tempDir, type RunResult } from './helpers.js';

const run = promisify(execFile);
const TOKEN = 'cluster-dashboard-test-token';

/** redis-cli's answer, stdout and exit code, failing or not. */
async function redisCli(args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout } = await run('redis-cli', args, { timeout: 20_000 });
    return { code: 0, out: stdout.trim() };
  } catch (err) {
    const e = err as { code?: number; stdout?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, out: (e.stdout ?? '').trim() };
  }
}

describe('the cluster dashboard', () => {
  let dir = '';
  let port = 0;
  let url = '';
  let up: RunResult | undefined;
  let browser: Browser | undefined;
  const errors: string[] = [];

  beforeAll(async () => {
    dir = tempDir('cluster-ui');
    port = await clusterPorts(20);
    up = await quorum(
      [
        'up',
        '--mode',
        'cluster',
        '--detach',
        '--dir',
        dir,
        '--port',
        String(port),
        '--dashboard-port',
        '0',
        '--token',
        TOKEN,
      ],
      { timeoutMs: 90_000 },
    );
    expect(up.code, up.stderr).toBe(0);
    url = /^dashboard: (\S+)$/m.exec(up.stdout)?.[1] ?? '';
    expect(url).toContain(`token=${TOKEN}`);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    if (up) expect((await quorum(['down', '--dir', dir])).code).toBe(0);
  });

  async function open(): Promise<Page> {
    if (!browser) throw new Error('no browser');
    const page = await browser.newPage({ viewport: { width: 1440, height: 1200 } });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    return page;
  }

  /** Slots per master address, as the slot map's legend shows them. */
  async function legend(page: Page): Promise<Record<string, number>> {
    const items = page.locator('[data-testid="slot-legend"] li[data-master]');
    const counts: Record<string, number> = {};
    for (const item of await items.all()) {
      const master = (await item.getAttribute('data-master')) ?? '';
      counts[master] = Number(await item.getAttribute('data-slots'));
    }
    return counts;
  }

  async function deployment(): Promise<DeploymentState> {
    const api = new URL('/api/deployments', url);
    const response = await fetch(api, { headers: { Authorization: `Bearer ${TOKEN}` } });
    const [d] = (await response.json()) as DeploymentState[];
    if (!d) throw new Error('no deployment');
    return d;
  }

  /** Each slot's owner address, from the deployment the dashboard serves. */
  async function owners(): Promise<Map<number, string>> {
    const map = new Map<number, string>();
    for (const s of clusterShards((await deployment()).topology))
      for (const [a, b] of s.slots)
        for (let slot = a; slot <= b; slot++) map.set(slot, s.master ?? '');
    return map;
  }

  it('shows three shards, a slot map covering 16384 slots, and looks keys up as Redis does', async () => {
    const page = await open();
    const shards = page.getByTestId('shard');
    await expect.poll(() => shards.count(), { timeout: 30_000 }).toBe(3);
    await expect.poll(() => page.locator('[data-role="master"]').count()).toBe(3);
    await expect.poll(() => page.locator('[data-role="replica"]').count()).toBe(3);
    await expect
      .poll(() => page.getByTestId('slots-covered').textContent())
      .toBe('16384/16384 assigned');
    const counts = await legend(page);
    expect(Object.keys(counts)).toHaveLength(3);
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(16384);
    expect(counts.none).toBeUndefined();
    // a range is a few rectangles, never a node per slot
    expect(await page.locator('[data-testid="slot-map"] svg rect').count()).toBeLessThan(20);

    for (const key of ['foo', 'user:{42}:cart', '{}x', 'a{b}c{d}', 'ключ']) {
      await page.getByLabel('key to look up').fill(key);
      const slot = await redisCli(['-c', '-p', String(port), 'cluster', 'keyslot', key]);
      expect(slot.code).toBe(0);
      await expect.poll(() => page.getByTestId('key-slot').textContent()).toBe(slot.out);
      expect(Number(slot.out)).toBe(keySlot(key));
      // the node on `port` answers MOVED with the owner when the key is not its own
      const moved = await redisCli(['-p', String(port), 'get', key]);
      const owner = /MOVED \d+ (\S+)/.exec(moved.out)?.[1] ?? `127.0.0.1:${String(port)}`;
      expect(await page.getByTestId('key-owner').textContent()).toContain(owner);
    }
    expect(errors).toEqual([]);
    await page.close();
  });

  it('moves 200 slots with a reshard started from the UI under a writer, losing no acknowledged write', async () => {
    const page = await open();
    await expect.poll(() => page.getByTestId('shard').count(), { timeout: 30_000 }).toBe(3);
    const from = `127.0.0.1:${String(port)}`;
    const before = await legend(page);
    const to = Object.keys(before).find((m) => m !== from) ?? '';
    const ownersBefore = await owners();

    const writer = new Cluster([{ host: '127.0.0.1', port }], {
      redisOptions: { connectTimeout: 2000, commandTimeout: 3000 },
    });
    const acked = new Map<string, string>();
    let failed = 0;
    // keys in every slot before the move, so the reshard has keys to MIGRATE in each slot it moves
    for (let i = 0; i < 20_000; i += 500) {
      const keys = Array.from({ length: 500 }, (_, j) => `pre:${String(i + j)}`);
      await Promise.all(keys.map((k) => writer.set(k, k)));
      for (const k of keys) acked.set(k, k);
    }
    let stop = false;
    const loops = Array.from({ length: 4 }, async (_, w) => {
      for (let n = 0; !stop; n++) {
        const key = `w${String(w)}:${String(n)}`;
        try {
          await writer.set(key, String(n));
          acked.set(key, String(n));
        } catch {
          failed++;
        }
      }
    });

    await page.getByLabel('reshard from').selectOption(from);
    await page.getByLabel('reshard to').selectOption(to);
    await page.getByLabel('slots to move').fill('200');
    await page.getByTestId('reshard').click();
    const dialog = page.getByRole('alertdialog');
    await expect
      .poll(() => dialog.textContent())
      .toContain(`Move 200 slots from redis-1 (${from})`);
    await dialog.getByRole('button', { name: 'Reshard', exact: true }).click();
    const job = page.getByTestId('cluster-job');
    await expect.poll(() => job.getAttribute('data-outcome'), { timeout: 60_000 }).toBe('done');
    expect(await job.getByTestId('cluster-job-progress-text').textContent()).toMatch(
      /^200\/200 slots/,
    );
    // the ended job is kept on the deployment's desk, under <dir>/jobs
    const records = readdirSync(join(dir, 'jobs')).map(
      (file) =>
        JSON.parse(readFileSync(join(dir, 'jobs', file), 'utf8')) as Record<string, unknown>,
    );
    expect(records.find((r) => r.kind === 'cluster:reshard')).toMatchObject({
      state: 'succeeded',
      deployment: 'mycluster',
      description: `move 200 slots from ${from} to ${to}`,
      progress: { fraction: 1 },
    });
    await expect
      .poll(() => legend(page), { timeout: 10_000 })
      .toEqual({ ...before, [from]: (before[from] ?? 0) - 200, [to]: (before[to] ?? 0) + 200 });
    await page.screenshot({ path: join(dir, 'cluster-resharded.png'), fullPage: true });

    stop = true;
    await Promise.all(loops);
    const ownersAfter = await owners();
    const moved = new Set(
      [...ownersAfter].filter(([s, o]) => o === to && ownersBefore.get(s) === from).map(([s]) => s),
    );
    expect(moved.size).toBe(200);
    let lost = 0;
    const entries = [...acked];
    for (let i = 0; i < entries.length; i += 200) {
      const chunk = entries.slice(i, i + 200);
      const values = await Promise.all(chunk.map(([k]) => writer.get(k)));
      chunk.forEach(([, v], j) => (lost += values[j] === v ? 0 : 1));
    }
    const inMoved = entries.filter(([k]) => moved.has(keySlot(k))).length;
    await writer.quit();
    expect(entries.length).toBeGreaterThan(100);
    // the writes the reshard could have lost: keys in the slots it moved
    expect(inMoved).toBeGreaterThan(0);
    expect({ lost, failed }).toEqual({ lost: 0, failed: 0 });

    const check = await redisCli(['--cluster', 'check', from]);
    expect(check.out).toContain('[OK] All 16384 slots covered');
    expect(check.code).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('promotes a replica from the shards table, and the shard keeps its column and colour', async () => {
    expect((await deployment()).capabilities.cluster).toContain('cluster-failover');
    const page = await open();
    await expect.poll(() => page.getByTestId('shard').count(), { timeout: 30_000 }).toBe(3);
    const master = `127.0.0.1:${String(port)}`;
    const d = await deployment();
    const replica = clusterShards(d.topology).find((s) => s.master === master)?.replicas[0]?.addr;
    const name = d.processes.find((p) => p.addr === replica)?.name;
    if (!replica || !name) throw new Error(`no replica of ${master}`);
    const node = (addr: string) => page.getByTestId(`node-${addr}`);
    const place = async (addr: string) => {
      const box = await node(addr).boundingBox();
      return box ? Math.round(box.x) : null;
    };
    const column = await place(master);
    // the shard's colour is the inline left border
    const colour = await node(master).getAttribute('style');
    expect(colour).toContain('border-left');

    await page.getByRole('button', { name: `fail over to ${name}` }).click();
    const dialog = page.getByRole('alertdialog');
    await expect.poll(() => dialog.textContent()).toContain(`CLUSTER FAILOVER on ${name}`);
    await dialog.getByRole('button', { name: 'Failover', exact: true }).click();
    const job = page.getByTestId('cluster-job');
    await expect.poll(() => job.getAttribute('data-outcome'), { timeout: 60_000 }).toBe('done');
    await expect
      .poll(() => node(replica).getAttribute('data-role'), { timeout: 10_000 })
      .toBe('master');
    await expect
      .poll(() => node(master).getAttribute('data-role'), { timeout: 10_000 })
      .toBe('replica');
    expect(await place(replica)).toBe(column);
    expect(await node(replica).getAttribute('style')).toBe(colour);
    await expect
      .poll(() => page.locator('[data-testid="failover-group"][data-cluster="true"]').count())
      .toBe(1);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('answers cluster actions and drills by the API with the right status and one sentence', async () => {
    const api = (path: string, init: RequestInit = {}) =>
      fetch(new URL(`/api/deployments/mycluster${path}`, url), {
        ...init,
        headers: { Authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      });
    const post = (path: string, body: unknown) =>
      api(path, { method: 'POST', body: JSON.stringify(body) });
    const unknown = await post('/cluster', { action: 'cluster-failover', node: '10.9.9.9:1' });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error: string }).error).toContain('10.9.9.9:1');
    const tooMany = await post('/cluster', { action: 'reshard', from: 'a', to: 'b', slots: 0 });
    expect(tooMany.status).toBe(400);
    expect((await api('/cluster/current', { method: 'DELETE' })).status).toBe(409);
    // the jobs of the tests before, newest first
    const jobs = (await (await api('/jobs')).json()) as JobRecord[];
    expect(jobs.map((j) => [j.kind, j.state])).toEqual([
      ['cluster:failover', 'succeeded'],
      ['cluster:reshard', 'succeeded'],
    ]);

    const drills = (await (await api('/drills')).json()) as DrillsState;
    expect(drills.scenarios.map((s) => s.name).sort()).toEqual([
      'cluster-kill-master',
      'cluster-kill-shard',
      'cluster-partition-master',
      'cluster-reshard',
    ]);
    expect(drills.vias).toEqual([]);
    const sentinelDrill = await post('/drills', { scenario: 'kill-master' });
    expect(sentinelDrill.status).toBe(400);
    expect(((await sentinelDrill.json()) as { error: string }).error).toContain(
      'kill-master is a drill for a Sentinel deployment',
    );
  });
});

/**
 * Refreshes docs/dashboard.png (a default topology after one failover, as the dashboard shows it),
 * docs/phone.png and docs/dark.png (the same page on a 390x844 phone, and in the dark theme),
 * docs/alerts.png (its Alerts tab: the failover, and the old master down long enough to fire)
 * docs/drills.png (the Drills tab after a split-brain-restart drill started from it) and, as
 * root, docs/partition.png (a lab deployment cut in two: the graph shows the cut links and the
 * second master on the minority side) and docs/cluster.png (a Redis Cluster whose first master
 * was killed and replaced by its replica, in the middle of a reshard started from the dashboard).
 *
 *   npx tsx scripts/screenshot.ts [--partition-only | --cluster-only]
 */
import { execFileSync } from 'node:child_process';
import { Cluster } from 'ioredis';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../test/browser.js';
import { labUnavailable } from '../src/local/index.js';

const root = new URL('..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'quorum-shot-'));
const quorum = (args: string[]) =>
  execFileSync(process.execPath, [join(root, 'bin/quorum'), ...args], { encoding: 'utf8' });

/** `up --detach` on `port` with the dashboard, and a light-themed page on it once it shows a master. */
async function openDashboard(at: string, port: number, extra: string[]) {
  const up = quorum([
    'up',
    '--detach',
    '--dir',
    at,
    '--port',
    String(port),
    '--sentinel-port',
    String(port + 100),
    '--dashboard-port',
    '0',
    '--down-after',
    '2000',
    ...extra,
  ]);
  const url = /^dashboard: (\S+)$/m.exec(up)?.[1];
  if (!url) throw new Error('no dashboard URL printed');
  const browser = await launchBrowser();
  const page = await browser.newPage({
    viewport: { width: 1440, height: 1000 },
    colorScheme: 'light',
  });
  await page.goto(url);
  await page.waitForSelector('[data-testid="agreed-master"]');
  return { browser, page, url };
}

/** The same page on a phone held upright (touch, DPR 2), and on a desktop in the dark theme. */
async function otherScreens(browser: Browser, url: string): Promise<void> {
  const phone = await browser.newPage({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    colorScheme: 'light',
  });
  await phone.goto(url);
  await phone.waitForSelector('[data-testid="lag"]');
  await phone.waitForTimeout(1000);
  await phone.screenshot({ path: join(root, 'docs/phone.png'), fullPage: false });
  process.stdout.write('wrote docs/phone.png\n');
  await phone.close();
  const dark = await browser.newPage({
    viewport: { width: 1440, height: 900 },
    colorScheme: 'dark',
  });
  await dark.goto(url);
  await dark.waitForSelector('[data-testid="lag"]');
  await dark.waitForTimeout(1500);
  await dark.screenshot({ path: join(root, 'docs/dark.png'), fullPage: false });
  process.stdout.write('wrote docs/dark.png\n');
  await dark.close();
}

const only = process.argv.find((a) => a === '--partition-only' || a === '--cluster-only');

// --partition-only: just docs/partition.png; --cluster-only: just docs/cluster.png
if (!only) {
  try {
    const { browser, page, url } = await openDashboard(dir, 17600, []);
    await page.waitForTimeout(20_000); // some chart history
    quorum(['node', 'kill', 'redis-1', '--dir', dir]);
    await page.waitForSelector('[data-testid="failover-group"][data-outcome="failover"]', {
      timeout: 30_000,
    });
    await page.waitForTimeout(6000);
    await page.getByTestId('failover-group').first().locator('details summary').click();
    await page.screenshot({ path: join(root, 'docs/dashboard.png'), fullPage: false });
    process.stdout.write('wrote docs/dashboard.png\n');
    await otherScreens(browser, url);

    await page.getByRole('tab', { name: /^Alerts/ }).click();
    // RedisNodeDown fires once the old master has been down for 30 s
    await page.waitForSelector('[data-rule="RedisNodeDown"][data-status="firing"]', {
      timeout: 60_000,
    });
    await page.screenshot({ path: join(root, 'docs/alerts.png'), fullPage: false });
    process.stdout.write('wrote docs/alerts.png\n');

    quorum(['node', 'start', 'redis-1', '--dir', dir]);
    await page.getByRole('tab', { name: /^Drills/ }).click();
    await page.getByLabel('scenario').selectOption('split-brain-restart');
    const start = page.getByRole('button', { name: 'Start drill' });
    // enabled once the deployment is healthy again
    const deadline = Date.now() + 60_000;
    while (!(await start.isEnabled()) && Date.now() < deadline) await page.waitForTimeout(500);
    await start.click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Start drill' }).click();
    await page.waitForSelector('[data-testid="live-drill"]');
    await page.waitForSelector('[data-testid="live-drill"]', {
      state: 'detached',
      timeout: 120_000,
    });
    await page.waitForSelector('[data-testid="past-drill"]');
    await page.waitForTimeout(1000);
    await page.screenshot({ path: join(root, 'docs/drills.png'), fullPage: true });
    await browser.close();
    process.stdout.write('wrote docs/drills.png\n');
  } finally {
    try {
      quorum(['down', '--dir', dir, '--purge']);
    } catch {
      // nothing to stop
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A lab deployment cut in two, as its dashboard shows it (needs root). */
async function partitionShot(): Promise<void> {
  const why = labUnavailable();
  if (why) {
    process.stdout.write(`skipped docs/partition.png: ${why}\n`);
    return;
  }
  const lab = mkdtempSync(join(tmpdir(), 'quorum-shot-lab-'));
  try {
    const { browser, page } = await openDashboard(lab, 17800, ['--network', 'lab']);
    quorum([
      'fault',
      'partition',
      'redis-1,sentinel-1,client-1 | redis-2,redis-3,sentinel-2,sentinel-3,client-2',
      '--dir',
      lab,
    ]);
    // the majority fails over; the old master stays master on its side
    await page.waitForTimeout(9000);
    await page.screenshot({ path: join(root, 'docs/partition.png'), fullPage: false });
    await browser.close();
    process.stdout.write('wrote docs/partition.png\n');
  } finally {
    try {
      quorum(['down', '--dir', lab, '--purge']);
    } catch {
      // nothing to stop
    }
    rmSync(lab, { recursive: true, force: true });
  }
}

/** A cluster with a failed-over shard, mid-reshard, as its dashboard shows it. */
async function clusterShot(): Promise<void> {
  const at = mkdtempSync(join(tmpdir(), 'quorum-shot-cluster-'));
  const port = 17900;
  try {
    const up = quorum([
      'up',
      '--mode',
      'cluster',
      '--detach',
      '--dir',
      at,
      '--port',
      String(port),
      '--node-timeout',
      '3000',
      '--dashboard-port',
      '0',
    ]);
    const url = /^dashboard: (\S+)$/m.exec(up)?.[1];
    if (!url) throw new Error('no dashboard URL printed');
    // keys in every slot, so the reshard has keys to move and takes a while
    const writer = new Cluster([{ host: '127.0.0.1', port }]);
    for (let i = 0; i < 200_000; i += 1000)
      await Promise.all(
        Array.from({ length: 1000 }, (_, j) => writer.set(`key:${String(i + j)}`, 'x'.repeat(64))),
      );
    await writer.quit();
    const browser = await launchBrowser();
    const page = await browser.newPage({
      viewport: { width: 1440, height: 1400 },
      colorScheme: 'light',
    });
    await page.goto(url);
    await page.waitForSelector('[data-testid="shard"]');
    await page.waitForTimeout(10_000); // some chart history
    quorum(['node', 'kill', 'redis-1', '--dir', at]);
    await page.waitForSelector('[data-testid="failover-group"][data-cluster="true"]', {
      timeout: 30_000,
    });
    await page.waitForTimeout(2000);
    await page.getByLabel('reshard from').selectOption(`127.0.0.1:${String(port + 1)}`);
    await page.getByLabel('reshard to').selectOption(`127.0.0.1:${String(port + 2)}`);
    await page.getByLabel('slots to move').fill('5000');
    await page.getByTestId('reshard').click();
    await page
      .getByRole('alertdialog')
      .getByRole('button', { name: 'Reshard', exact: true })
      .click();
    // a moment with slots moved and an open slot on the map
    const progress = page.getByTestId('cluster-job-progress-text');
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const done = Number(/^(\d+)\//.exec((await progress.textContent()) ?? '')?.[1] ?? 0);
      if (done >= 1000 && (await page.getByTestId('open-slots').count()) > 0) break;
      await page.waitForTimeout(50);
    }
    await page.getByLabel('key to look up').fill('user:{42}:cart');
    await page.screenshot({ path: join(root, 'docs/cluster.png'), fullPage: false });
    await browser.close();
    process.stdout.write('wrote docs/cluster.png\n');
  } finally {
    try {
      quorum(['down', '--dir', at, '--purge']);
    } catch {
      // nothing to stop
    }
    rmSync(at, { recursive: true, force: true });
  }
}

if (only !== '--cluster-only') await partitionShot();
if (only !== '--partition-only') await clusterShot();

/**
 * Refreshes docs/dashboard.png (a default topology after one failover, as the dashboard shows it),
 * docs/alerts.png (its Alerts tab: the failover, and the old master down long enough to fire)
 * docs/drills.png (the Drills tab after a split-brain-restart drill started from it) and, as
 * root, docs/partition.png (a lab deployment cut in two: the graph shows the cut links and the
 * second master on the minority side).
 *
 *   npx tsx scripts/screenshot.ts [--partition-only]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  return { browser, page };
}

// --partition-only: just docs/partition.png
if (!process.argv.includes('--partition-only')) {
  try {
    const { browser, page } = await openDashboard(dir, 17600, []);
    await page.waitForTimeout(20_000); // some chart history
    quorum(['node', 'kill', 'redis-1', '--dir', dir]);
    await page.waitForSelector('[data-testid="failover-group"][data-outcome="failover"]', {
      timeout: 30_000,
    });
    await page.waitForTimeout(6000);
    await page.getByTestId('failover-group').first().locator('details summary').click();
    await page.screenshot({ path: join(root, 'docs/dashboard.png'), fullPage: false });
    process.stdout.write('wrote docs/dashboard.png\n');

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

await partitionShot();

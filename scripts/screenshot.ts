/**
 * Refreshes docs/dashboard.png (a default topology after one failover, as the dashboard shows it),
 * docs/alerts.png (its Alerts tab: the failover, and the old master down long enough to fire)
 * and docs/drills.png (the Drills tab after a split-brain-restart drill started from it).
 *
 *   npx tsx scripts/screenshot.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchBrowser } from '../test/browser.js';

const root = new URL('..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'quorum-shot-'));
const quorum = (args: string[]) =>
  execFileSync(process.execPath, [join(root, 'bin/quorum'), ...args], { encoding: 'utf8' });

try {
  const up = quorum([
    'up',
    '--detach',
    '--dir',
    dir,
    '--port',
    '17600',
    '--sentinel-port',
    '17700',
    '--dashboard-port',
    '0',
    '--down-after',
    '2000',
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
  await page.waitForSelector('[data-testid="live-drill"]', { state: 'detached', timeout: 120_000 });
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

import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './browser.js';
import { explainFailover, quorum, startDeployment } from './helpers.js';

describe('the dashboard in a real browser, served by quorum up', () => {
  let dir = '';
  let url = '';
  let port = 0;
  let browser: Browser;

  beforeAll(async () => {
    const deployment = await startDeployment('e2e', [
      '--dashboard-port',
      '0',
      '--down-after',
      '2000',
    ]);
    ({ dir, port } = deployment);
    const up = deployment.up;
    expect(up.code).toBe(0);
    url = /^dashboard: (\S+)$/m.exec(up.stdout)?.[1] ?? '';
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=.+/);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser.close();
    expect((await quorum(['down', '--dir', dir])).code).toBe(0);
  });

  it('shows 1 master and 2 replicas, then another master after a failover clicked in the page, without a reload', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    // the token leaves the address bar at once
    await page.waitForFunction("!window.location.search.includes('token')");
    const master = page.getByTestId('agreed-master');
    await expect.poll(() => master.textContent(), { timeout: 15_000 }).toBe(`127.0.0.1:${port}`);
    await expect
      .poll(() => page.locator('[data-role="master"]').count(), { timeout: 10_000 })
      .toBe(1);
    expect(await page.locator('[data-role="replica"]').count()).toBe(2);
    expect(await page.locator('[data-role="sentinel"]').count()).toBe(3);

    await page.evaluate('window.quorumNoReload = true');
    await page.getByRole('button', { name: 'Failover' }).click();
    const dialog = page.getByRole('alertdialog');
    await expect.poll(() => dialog.textContent()).toContain(`demote 127.0.0.1:${port}`);
    await dialog.getByRole('button', { name: 'Failover' }).click();
    await explainFailover(dir, () =>
      expect
        .poll(async () => master.textContent(), { timeout: 30_000 })
        .not.toBe(`127.0.0.1:${port}`),
    );
    expect(await master.textContent()).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(await page.evaluate("'quorumNoReload' in window")).toBe(true);
    // the old master says role:master until Sentinel's next INFO of it (every 10 s for a
    // replica) makes it +convert-to-slave: two nodes claim master for a few seconds
    await expect
      .poll(() => page.locator('[data-role="master"]').count(), { timeout: 25_000 })
      .toBe(1);
    const group = page.getByTestId('failover-group').first();
    await expect
      .poll(() => group.getAttribute('data-outcome'), { timeout: 15_000 })
      .toBe('failover');
    expect(await group.textContent()).toContain(`127.0.0.1:${port} →`);
    await page.screenshot({ path: join(dir, 'deployment.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('runs a drill from the Drills page: the chart grows live, then the run is listed with its losses and report', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    await page.getByRole('tab', { name: /^Drills/ }).click();
    expect(page.url()).toContain('view=drills');
    await page.getByLabel('scenario').selectOption('kill-master');
    // the deployment runs quorum's proxy: the writers can go through it
    await page.getByLabel('writers via').selectOption('proxy');
    const start = page.getByRole('button', { name: 'Start drill' });
    // enabled once the deployment is healthy again after the failover of the test before
    await expect.poll(() => start.isEnabled(), { timeout: 30_000 }).toBe(true);
    await start.click();
    const dialog = page.getByRole('alertdialog');
    await expect.poll(() => dialog.textContent()).toContain('SIGKILL the master');
    await dialog.getByRole('button', { name: 'Start drill' }).click();
    const phase = page.getByTestId('drill-phase');
    await expect.poll(() => phase.textContent(), { timeout: 15_000 }).toBe('fault injected');
    expect(await page.getByTestId('live-drill').locator('canvas').count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(dir, 'drill-live.png'), fullPage: true });
    // done: the live panel goes away, the run is listed and opened
    await expect.poll(() => page.getByTestId('live-drill').count(), { timeout: 60_000 }).toBe(0);
    const past = page.getByTestId('past-drills');
    await expect.poll(() => past.textContent(), { timeout: 10_000 }).toContain('kill-master');
    expect(await past.textContent()).toContain('as expected');
    expect(await page.getByTestId('past-drill').first().textContent()).toContain(
      "writers viaquorum's proxy",
    );
    await expect
      .poll(() => page.getByTestId('acked-lost').first().textContent(), { timeout: 10_000 })
      .toMatch(/^\d+ of \d+ \(/);
    // the writes with no answer in time: present and missing, and those acknowledged late
    expect(await page.getByTestId('indeterminate').first().textContent()).toMatch(
      /^\d+: \d+ present, \d+ missing$/,
    );
    expect(await page.getByTestId('late-acked').first().textContent()).toMatch(
      /^\d+, \d+ of them missing$/,
    );
    const href = await page.getByRole('link', { name: 'open the report' }).getAttribute('href');
    const report = await page.request.get(new URL(href ?? '', url).toString());
    expect(report.status()).toBe(200);
    expect(await report.text()).toContain('<svg');
    await page.screenshot({ path: join(dir, 'drills.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows a killed replica as a pending RedisNodeDown alert on the Alerts tab, gone once it runs again', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    const health = page.getByTestId('health');
    // healthy again after the drill of the test before
    await expect.poll(() => health.textContent(), { timeout: 30_000 }).toBe('healthy');
    const testId = await page.locator('[data-role="replica"]').first().getAttribute('data-testid');
    const addr = testId?.slice('node-'.length) ?? '';
    expect(addr).toMatch(/^127\.0\.0\.1:\d+$/);
    const alert = page.locator(
      `[data-testid="alert"][data-rule="RedisNodeDown"][data-subject="${addr}"]:not([data-status="resolved"])`,
    );
    expect((await quorum(['node', 'kill', addr, '--dir', dir])).code).toBe(0);
    let down = true;
    try {
      await page.getByRole('tab', { name: /^Alerts/ }).click();
      expect(page.url()).toContain('view=alerts');
      // RedisNodeDown fires after 30 s; pending shows from the first observation of the dead node
      await expect
        .poll(() => alert.getAttribute('data-status'), { timeout: 10_000 })
        .toMatch(/^(pending|firing)$/);
      expect(await alert.textContent()).toMatch(/(pending|firing) for \d+s/);
      await page.reload();
      await expect
        .poll(() => page.getByRole('tab', { name: /^Alerts/ }).getAttribute('aria-selected'), {
          timeout: 15_000,
        })
        .toBe('true');
      await expect.poll(() => alert.count(), { timeout: 10_000 }).toBe(1);
      await page.screenshot({ path: join(dir, 'alerts.png'), fullPage: true });
      expect((await quorum(['node', 'start', addr, '--dir', dir])).code).toBe(0);
      down = false;
      await expect.poll(() => alert.count(), { timeout: 15_000 }).toBe(0);
    } finally {
      if (down) await quorum(['node', 'start', addr, '--dir', dir]);
    }
    await expect.poll(() => health.textContent(), { timeout: 30_000 }).toBe('healthy');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('kills the master from its drawer: the timeline shows the whole failover and the graph the new master', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(url);
    const master = page.getByTestId('agreed-master');
    await expect
      .poll(() => master.textContent(), { timeout: 15_000 })
      .toMatch(/^127\.0\.0\.1:\d+$/);
    const old = (await master.textContent()) ?? '';
    await page.getByTestId(`node-${old}`).click();
    await page.getByTestId('node-drawer').getByRole('button', { name: 'Kill' }).click();
    const dialog = page.getByRole('alertdialog');
    await expect.poll(() => dialog.textContent()).toContain(`with SIGKILL`);
    await dialog.getByRole('button', { name: 'Kill' }).click();
    // detection, election and promotion are Sentinel's pace: a lost election is retried after
    // twice the failover-timeout (10 s here)
    await explainFailover(dir, () =>
      expect.poll(() => master.textContent(), { timeout: 45_000 }).not.toBe(old),
    );
    const now = (await master.textContent()) ?? '';
    await expect
      .poll(() => page.getByTestId(`node-${now}`).getAttribute('data-role'), { timeout: 10_000 })
      .toBe('master');
    await expect
      .poll(() => page.getByTestId(`node-${old}`).getAttribute('data-state'), { timeout: 10_000 })
      .toBe('down');
    // the newest failover is listed first
    const group = page.getByTestId('failover-group').first();
    await expect.poll(() => group.textContent(), { timeout: 15_000 }).toContain(`${old} → ${now}`);
    await expect
      .poll(() => group.getAttribute('data-outcome'), { timeout: 15_000 })
      .toBe('failover');
    const text = (await group.textContent()) ?? '';
    for (const step of ['+sdown', '+odown', '+elected-leader', '+promoted-slave', '+switch-master'])
      expect(text).toContain(step);
    expect(text).toContain(`${old} → ${now}`);
    expect(await page.getByTestId('timeline').textContent()).toMatch(
      /quorum:action\s*killed redis-\d/,
    );
    await page.close();
  });

  it('opens a node drawer with its details, and the URL reproduces the view', async () => {
    const page = await browser.newPage({ viewport: { width: 800, height: 900 } });
    await page.goto(url);
    // a data node that runs: the tests before killed some
    const running = page
      .locator('[data-role="master"][data-state="up"], [data-role="replica"][data-state="up"]')
      .first();
    await expect.poll(() => running.count(), { timeout: 15_000 }).toBe(1);
    const addr = ((await running.getAttribute('data-testid')) ?? '').slice('node-'.length);
    expect(addr).toMatch(/^127\.0\.0\.1:\d+$/);
    await running.click();
    const drawer = page.getByTestId('node-drawer');
    await expect.poll(() => drawer.textContent(), { timeout: 10_000 }).toMatch(/redis-\d/);
    expect(page.url()).toContain(`node=${encodeURIComponent(addr)}`);
    await drawer.getByRole('tab', { name: 'CONFIG' }).click();
    await expect
      .poll(() => drawer.textContent(), { timeout: 10_000 })
      .toContain('maxmemory-policy');
    await page.close();
  });

  it('shows the login prompt for a wrong token, and no data', async () => {
    const page = await browser.newPage();
    const base = url.slice(0, url.indexOf('?'));
    await page.goto(`${base}?token=not-the-right-token`);
    const prompt = page.getByRole('dialog');
    await expect
      .poll(() => prompt.textContent(), { timeout: 10_000 })
      .toContain('That token was not accepted');
    expect(await page.content()).not.toContain(`127.0.0.1:${port}`);
    await page.close();
  });
});

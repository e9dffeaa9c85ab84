import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './browser.js';
import { quorum, startDeployment, tempDir } from './helpers.js';
import {
  edgeFaults,
  graphTexts,
  graphZoom,
  gridPixels,
  pageTheme,
  scrollCue,
  scrollY,
  widths,
} from './layout-probes.js';

/** The two screens of the issue: a laptop, and a phone held upright (touch, DPR 2). */
const SCREENS = {
  desktop: { viewport: { width: 1440, height: 900 } },
  phone: {
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
  },
} as const;
type Screen = keyof typeof SCREENS;

/**
 * The smallest text on the graph, in CSS px as drawn (font size times the graph's zoom). 12 px on
 * a desktop; 11 px on a phone, the smallest size Apple's and Material's type scales use for text
 * meant to be read (caption 2 / label small), which leaves the narrow layout room to shrink on
 * phones narrower than 390 px.
 */
const MIN_TEXT: Record<Screen, number> = { desktop: 12, phone: 11 };

describe('the dashboard on a desktop and on a phone, light and dark', () => {
  let dir = '';
  let url = '';
  let browser: Browser;
  let running = false;
  const errors: string[] = [];

  beforeAll(async () => {
    // RedisNodeDown fires at once here, so the badge's critical look shows without a 30 s wait
    const config = join(tempDir('layout-config'), 'quorum.yaml');
    writeFileSync(config, 'alerts:\n  rules:\n    RedisNodeDown:\n      for: 1s\n');
    const deployment = await startDeployment('layout', [
      '--dashboard-port',
      '0',
      '--down-after',
      '2000',
      '--config',
      config,
    ]);
    dir = deployment.dir;
    expect(deployment.up.code, deployment.up.stderr).toBe(0);
    running = true;
    url = /^dashboard: (\S+)$/m.exec(deployment.up.stdout)?.[1] ?? '';
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=.+/);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser.close();
    if (running) expect((await quorum(['down', '--dir', dir])).code).toBe(0);
  });

  async function open(screen: Screen, theme: 'light' | 'dark'): Promise<Page> {
    const page = await browser.newPage({ ...SCREENS[screen], colorScheme: theme });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    await expect
      .poll(() => page.locator('[data-role="replica"]').count(), { timeout: 15_000 })
      .toBe(2);
    return page;
  }

  for (const screen of ['desktop', 'phone'] as const)
    for (const theme of ['light', 'dark'] as const)
      it(`${screen}, ${theme}: graph text at least ${MIN_TEXT[screen]} px as drawn, directed edges through no box, no sideways scroll`, async () => {
        const page = await open(screen, theme);
        expect(await pageTheme(page)).toBe(theme);
        const graph = page.getByTestId('topology-graph');
        expect(await graph.getAttribute('data-layout')).toBe(
          screen === 'phone' ? 'narrow' : 'wide',
        );
        const scale = await graphZoom(page);
        // every piece of text on the graph: names, roles, addresses, ports, lag, flags, edge labels
        const sizes = await graphTexts(page);
        expect(sizes.length).toBeGreaterThan(10);
        for (const { text, px } of sizes)
          expect(px * scale, `"${text}" at ${px} px x ${scale}`).toBeGreaterThanOrEqual(
            MIN_TEXT[screen],
          );
        // the lag by each replica, the proxy's two ports labelled
        expect(await page.getByTestId('lag').allTextContents()).toEqual(['lag 0 B', 'lag 0 B']);
        expect(await page.getByTestId('proxy-write').textContent()).toMatch(
          /^write 127\.0\.0\.1:\d+$/,
        );
        expect(await page.getByTestId('proxy-read').textContent()).toMatch(
          /^read 127\.0\.0\.1:\d+$/,
        );
        // every edge has an arrowhead, and none runs through a box it does not join
        expect(await edgeFaults(page)).toEqual([]);
        expect(await page.locator('.react-flow__edge').count()).toBeGreaterThan(3);
        // no tab scrolls sideways
        const loaded: Record<string, string> = {
          Live: '[data-testid="topology-graph"]',
          Drills: 'select[aria-label="scenario"] option',
          Alerts: '[data-testid="alerts-resolved"]',
        };
        for (const tab of ['Live', 'Drills', 'Alerts']) {
          await page.getByRole('tab', { name: new RegExp(`^${tab}`) }).click();
          await page
            .locator(loaded[tab] ?? 'main')
            .first()
            .waitFor({ state: 'attached' });
          const [scrollWidth, width] = await widths(page);
          expect(scrollWidth, `${tab} tab`).toBeLessThanOrEqual(width);
        }
        await page.close();
      });

  it('phone: the header keeps to one row, the timeline comes before the charts', async () => {
    const page = await open('phone', 'light');
    const header = await page.locator('header.top').boundingBox();
    expect(header?.height).toBeLessThan(56);
    const timeline = await page.locator('.timeline-panel').boundingBox();
    const charts = await page.locator('.charts-panel').boundingBox();
    expect(timeline?.y ?? Infinity).toBeLessThan(charts?.y ?? 0);
    // a wide table scrolls in its panel, with a shadow that says so
    expect(await scrollCue(page)).toContain('gradient');
    await page.close();
  });

  it('desktop: the wheel over the graph scrolls the page; zoom and pan only when turned on, fit puts it back', async () => {
    const page = await open('desktop', 'light');
    const graph = page.getByTestId('topology-graph');
    const box = await graph.boundingBox();
    expect(await graphZoom(page)).toBe(1);
    await page.mouse.move((box?.x ?? 0) + 40, (box?.y ?? 0) + 120);
    await page.mouse.wheel(0, 400);
    await expect.poll(() => scrollY(page)).toBeGreaterThan(0);
    expect(await graphZoom(page)).toBe(1);
    await page.evaluate('window.scrollTo(0, 0)');
    await page.getByRole('button', { name: 'zoom and pan' }).click();
    const inside = await graph.boundingBox();
    await page.mouse.move((inside?.x ?? 0) + 40, (inside?.y ?? 0) + 120);
    await page.mouse.wheel(0, 400);
    await expect.poll(() => graphZoom(page)).toBeLessThan(1);
    await page.getByRole('button', { name: 'fit the graph' }).click();
    await expect.poll(() => graphZoom(page)).toBe(1);
    await page.close();
  });

  for (const screen of ['desktop', 'phone'] as const)
    it(`${screen}: the node drawer shows its close button, and closes on Escape, the backdrop and back`, async () => {
      const page = await open(screen, 'dark');
      const replica = page.locator('[data-role="replica"]').first();
      const drawer = page.getByTestId('node-drawer');
      const width = SCREENS[screen].viewport.width;
      const height = SCREENS[screen].viewport.height;

      await replica.click();
      await expect.poll(() => drawer.count()).toBe(1);
      const close = await drawer.getByRole('button', { name: 'close details' }).boundingBox();
      expect(close).not.toBeNull();
      if (!close) return;
      expect(close.x).toBeGreaterThanOrEqual(0);
      expect(close.x + close.width).toBeLessThanOrEqual(width);
      expect(close.y + close.height).toBeLessThanOrEqual(height);
      await page.keyboard.press('Escape');
      await expect.poll(() => drawer.count()).toBe(0);
      expect(page.url()).not.toContain('node=');

      await replica.click();
      await expect.poll(() => drawer.count()).toBe(1);
      // the strip of backdrop left of the drawer (on a phone, 36 px of it)
      if (screen === 'phone') await page.touchscreen.tap(12, height / 2);
      else await page.mouse.click(40, height / 2);
      await expect.poll(() => drawer.count()).toBe(0);

      await replica.click();
      await expect.poll(() => page.url()).toContain('node=');
      await page.goBack();
      await expect.poll(() => drawer.count()).toBe(0);
      expect(page.url()).not.toContain('node=');
      await page.close();
    });

  it('opens the proxy drawer from its box: its ports, where they send clients, its relay', async () => {
    const page = await open('desktop', 'light');
    const write = ((await page.getByTestId('proxy-write').textContent()) ?? '').slice(6);
    await page.getByTestId('node-proxy').click();
    const drawer = page.getByTestId('proxy-drawer');
    await expect.poll(() => drawer.textContent(), { timeout: 5000 }).toContain('Write port');
    const text = (await drawer.textContent()) ?? '';
    expect(text).toContain(write);
    expect(text).toMatch(/sends clients toredis-\d \(127\.0\.0\.1:\d+\)/);
    expect(text).toMatch(/relay(native|JavaScript)/);
    await page.keyboard.press('Escape');
    await expect.poll(() => drawer.count()).toBe(0);
    await page.close();
  });

  it("re-themes the charts when the theme is switched: the grid drawn in the dark theme's colour", async () => {
    const page = await open('desktop', 'light');
    await expect
      .poll(async () => (await gridPixels(page)).light, { timeout: 10_000 })
      .toBeGreaterThan(50);
    expect((await gridPixels(page)).dark).toBe(0);
    await page.getByRole('button', { name: 'toggle theme' }).click();
    expect(await pageTheme(page)).toBe('dark');
    await expect
      .poll(async () => (await gridPixels(page)).dark, { timeout: 5000 })
      .toBeGreaterThan(50);
    expect((await gridPixels(page)).light).toBe(0);
    // the legends name nodes as the graph does
    expect(await page.locator('.chart .u-legend').first().textContent()).toMatch(/redis-1/);
    await page.close();
  });

  it('colours the Alerts badge by the highest severity firing: info after a switchover, critical with a node down', async () => {
    const page = await open('desktop', 'light');
    const badge = page.getByTestId('alerts-badge');
    expect((await quorum(['switchover', '--dir', dir])).code).toBe(0);
    await expect.poll(() => badge.getAttribute('data-severity'), { timeout: 15_000 }).toBe('info');
    expect(await badge.getAttribute('class')).toBe('badge firing info');
    // a replica of the new master, once the old one is a replica too
    await expect
      .poll(() => page.locator('[data-role="master"]').count(), { timeout: 20_000 })
      .toBe(1);
    const replica = (
      (await page.locator('[data-role="replica"]').first().getAttribute('data-testid')) ?? ''
    ).slice('node-'.length);
    await page.getByRole('tab', { name: /^Alerts/ }).click();
    expect(
      await page.locator('[data-testid="alert"][data-rule="RedisFailover"]').textContent(),
    ).toContain('in the last 10 minutes');

    expect((await quorum(['node', 'kill', replica, '--dir', dir])).code).toBe(0);
    try {
      await expect
        .poll(() => badge.getAttribute('data-severity'), { timeout: 20_000 })
        .toBe('critical');
      expect(await badge.getAttribute('class')).toBe('badge firing critical');
    } finally {
      expect((await quorum(['node', 'start', replica, '--dir', dir])).code).toBe(0);
    }
    await page.close();
  });

  it('says the deployment is stopped, and how to start it, to a page left open through quorum down', async () => {
    const page = await open('desktop', 'light');
    expect((await quorum(['down', '--dir', dir])).code).toBe(0);
    running = false;
    const note = page.getByTestId('unreachable');
    await expect.poll(() => note.textContent(), { timeout: 20_000 }).toContain('quorum up --dir');
    expect(errors).toEqual([]);
    await page.close();
  });
});

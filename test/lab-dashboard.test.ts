import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labUnavailable, readState } from '../src/local/index.js';
import { networkFaultSchema } from '../src/faults/network.js';
import { launchBrowser } from './browser.js';
import { freePorts, quorum, startDeployment, type TestDeployment } from './helpers.js';

const why = labUnavailable();
const TOKEN = 'lab-dashboard-test-token';

async function activeFaults(dir: string) {
  const list = await quorum(['fault', 'list', '--dir', dir, '--json']);
  expect(list.code, list.stderr).toBe(0);
  const parsed = JSON.parse(list.stdout) as { active: unknown[] };
  return parsed.active.map((f) => networkFaultSchema.parse(f));
}

describe.skipIf(why !== null)(
  `cutting and healing a lab's network from the dashboard (${why ?? 'root, ip, nft and tc are here'})`,
  () => {
    let lab: TestDeployment | undefined;
    let browser: Browser | undefined;
    let url = '';
    /** Process name by `host:port`. */
    const names = new Map<string, string>();

    beforeAll(async () => {
      lab = await startDeployment('lab-ui', [
        '--network',
        'lab',
        '--down-after',
        '2000',
        '--no-proxy',
        '--dashboard-port',
        String(await freePorts(1)),
        '--token',
        TOKEN,
      ]);
      expect(lab.up.code, lab.up.stderr).toBe(0);
      const state = readState(lab.dir);
      if (!state?.dashboard) throw new Error('no dashboard in state.json');
      url = `${state.dashboard.url}?token=${TOKEN}`;
      for (const p of state.processes) names.set(`${p.host ?? ''}:${String(p.port)}`, p.name);
      browser = await launchBrowser();
    });

    afterAll(async () => {
      await browser?.close();
      if (lab) expect((await lab.down()).code).toBe(0);
    });

    /** The process names of the graph nodes `selector` finds, sorted. */
    async function namesOf(page: Page, selector: string): Promise<string[]> {
      const found: string[] = [];
      for (const node of await page.locator(selector).all()) {
        const id = (await node.getAttribute('data-testid')) ?? '';
        found.push(names.get(id.slice('node-'.length)) ?? id);
      }
      return found.sort();
    }

    it('cuts the master and client-1 from the replicas with sides picked on the graph, then heals', async () => {
      if (!lab || !browser) throw new Error('no lab');
      const dir = lab.dir;
      const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(url);
      const master = page.locator('[data-role="master"]');
      const replicas = page.locator('[data-role="replica"]');
      await expect.poll(() => master.count(), { timeout: 30_000 }).toBe(1);
      await expect.poll(() => replicas.count(), { timeout: 30_000 }).toBe(2);
      const [masterName] = await namesOf(page, '[data-role="master"]');
      const replicaNames = await namesOf(page, '[data-role="replica"]');
      expect(masterName).toMatch(/^redis-\d$/);

      const panel = page.getByTestId('network-panel');
      expect(await panel.getByTestId('network-faults').textContent()).toBe(
        'no network fault is active',
      );
      await panel.getByRole('button', { name: 'Pick sides' }).click();
      await master.click();
      await panel.getByRole('button', { name: /^client-1/ }).click();
      await panel.getByRole('button', { name: 'Side B' }).click();
      await replicas.nth(0).click();
      await replicas.nth(1).click();
      // picking puts nodes on sides; it opens no drawer
      expect(page.url()).not.toContain('node=');
      expect(await master.getAttribute('data-side')).toBe('a');
      expect(await page.locator('[data-side="b"]').count()).toBe(2);
      const sides = panel.getByTestId('sides');
      expect(await sides.textContent()).toContain(`A ${String(masterName)}, client-1`);

      await panel.getByRole('button', { name: 'Cut A | B' }).click();
      const dialog = page.getByRole('alertdialog');
      await expect
        .poll(() => dialog.textContent())
        .toContain(
          `between A (${String(masterName)}, client-1) and B (${replicaNames.join(', ')})`,
        );
      await dialog.getByRole('button', { name: 'Cut', exact: true }).click();
      await expect
        .poll(() => activeFaults(dir), { timeout: 10_000 })
        .toEqual([{ kind: 'partition', groups: [[masterName, 'client-1'], replicaNames] }]);
      const cutEdges = page.locator('.react-flow__edge.cut');
      await expect.poll(() => cutEdges.count(), { timeout: 10_000 }).toBeGreaterThan(0);
      await expect
        .poll(() => panel.getByTestId('network-faults').textContent())
        .toContain(`partition ${String(masterName)},client-1 | ${replicaNames.join(',')}`);
      await page.screenshot({ path: join(dir, 'lab-cut.png'), fullPage: true });

      await panel.getByRole('button', { name: 'Heal all' }).click();
      await expect.poll(() => activeFaults(dir), { timeout: 10_000 }).toEqual([]);
      await expect.poll(() => cutEdges.count(), { timeout: 10_000 }).toBe(0);
      expect(await panel.getByTestId('network-error').count()).toBe(0);

      // with the mode off, a click opens the node's drawer again
      await panel.getByRole('button', { name: 'Pick sides' }).click();
      await master.click();
      await expect.poll(() => page.url()).toContain('node=');
      expect(errors).toEqual([]);
      await page.close();
    });
  },
);

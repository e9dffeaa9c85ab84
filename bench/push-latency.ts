/**
 * Push latency: from a sentinel publishing +switch-master to a page in a real browser showing the
 * new master, over repeated manual failovers. Two pages in the same headless chromium: quorum's
 * dashboard (pushed over SSE), and the usual status page that polls every 2 s (a server asking
 * Sentinel on each request, a page fetching it on a timer; bench/polling-page.ts).
 *
 *   npx tsx bench/push-latency.ts [--runs 100]
 *
 * A p99 is quoted only from 100 runs or more. Writes the result into docs/benchmarks.md (section
 * "Dashboard push latency").
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../test/browser.js';
import { percentile, writeSection } from './doc.js';
import { POLL_MS, startPollingPage } from './polling-page.js';
import { quorum, replicasReady, sleep } from './setup.js';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1] || 100);
if (!Number.isInteger(runs) || runs < 1) {
  process.stderr.write('--runs must be a positive integer.\n');
  process.exit(2);
}
/** Fewer runs than this give no p99 worth quoting. */
const P99_MIN_RUNS = 100;
/** How long a page may take to show the new master before the run fails. */
const SHOW_TIMEOUT_MS = 10_000;
const dir = mkdtempSync(join(tmpdir(), 'quorum-bench-'));
const port = 17400;

/** Records, in the page, when the text of `selector` changes (on the same clock as Date.now()). */
async function watch(page: Page, selector: string): Promise<void> {
  await page.waitForSelector(selector);
  await page.evaluate(`
    window.__changes = [];
    const el = document.querySelector(${JSON.stringify(selector)});
    new MutationObserver(() => window.__changes.push({ text: el.textContent, t: performance.timeOrigin + performance.now() }))
      .observe(el, { characterData: true, childList: true, subtree: true });
  `);
}

/** When `page` first showed a master other than `before`; waits for it up to SHOW_TIMEOUT_MS. */
async function shownAt(page: Page, before: string, what: string): Promise<number> {
  const deadline = Date.now() + SHOW_TIMEOUT_MS;
  for (;;) {
    const at: number = await page.evaluate(
      `(() => { const c = window.__changes.filter((x) => x.text !== ${JSON.stringify(before)} && /^\\d/.test(x.text)); return c.length ? c[0].t : 0; })()`,
    );
    if (at !== 0) {
      await page.evaluate('window.__changes = []');
      return at;
    }
    if (Date.now() > deadline)
      throw new Error(`${what} did not show a new master within ${String(SHOW_TIMEOUT_MS)} ms`);
    await sleep(50);
  }
}

async function main(): Promise<void> {
  const up = quorum([
    'up',
    '--detach',
    '--dir',
    dir,
    '--port',
    String(port),
    '--sentinel-port',
    String(port + 100),
    '--dashboard-port',
    '0',
  ]);
  const url = /^dashboard: (\S+)$/m.exec(up)?.[1];
  if (!url) throw new Error(`no dashboard URL in:\n${up}`);
  const sentinels = [0, 1, 2].map((i) => port + 100 + i);
  const browser = await launchBrowser();
  const subscribers = sentinels.map((p) => new Redis({ port: p, enableReadyCheck: false }));
  const admin = new Redis({ port: sentinels[0], commandTimeout: 5000 });
  const poller = new Redis({ port: sentinels[1], commandTimeout: 5000 });
  const pollingPage = await startPollingPage(poller);
  const quorumMs: number[] = [];
  const pollMs: number[] = [];
  try {
    await measure(url, pollingPage.url, browser, subscribers, admin, quorumMs, pollMs);
  } finally {
    await browser.close();
    pollingPage.server.close();
    for (const r of [...subscribers, admin, poller]) r.disconnect();
    quorum(['down', '--dir', dir, '--purge']);
    rmSync(dir, { recursive: true, force: true });
  }
  writeSection('Dashboard push latency', section(quorumMs, pollMs));
}

/** `runs` failovers; pushes each run's latency for the dashboard and for the polling page. */
async function measure(
  dashboardUrl: string,
  pollingUrl: string,
  browser: Browser,
  subscribers: Redis[],
  admin: Redis,
  quorumMs: number[],
  pollMs: number[],
): Promise<void> {
  let pending: { resolve: (ms: number) => void } | null = null;
  for (const sub of subscribers) {
    await sub.subscribe('+switch-master');
    sub.on('message', () => {
      const now = Date.now();
      if (pending) {
        pending.resolve(now);
        pending = null;
      }
    });
  }
  const dashboard = await browser.newPage();
  await dashboard.goto(dashboardUrl);
  await watch(dashboard, '[data-testid="agreed-master"]');
  const polling = await browser.newPage();
  await polling.goto(pollingUrl);
  await polling.waitForFunction('/^\\d/.test(document.getElementById("master").textContent)');
  await watch(polling, '#master');
  // a hidden page's timers are throttled: both must be visible for the figures to mean anything
  for (const page of [dashboard, polling]) {
    const visibility: string = await page.evaluate('document.visibilityState');
    if (visibility !== 'visible') throw new Error(`a page is ${visibility}, not visible`);
  }
  for (let run = 1; run <= runs; run++) {
    const [host, portText] = (await admin.call(
      'SENTINEL',
      'GET-MASTER-ADDR-BY-NAME',
      'mymaster',
    )) as [string, string];
    const before = `${host}:${portText}`;
    // the page's timer runs from its load: a random wait puts each failover at a random phase of it
    await sleep(Math.random() * POLL_MS);
    const switched = new Promise<number>((resolve) => (pending = { resolve }));
    for (;;) {
      try {
        await admin.call('SENTINEL', 'FAILOVER', 'mymaster');
        break;
      } catch (err) {
        if (!/NOGOODSLAVE|INPROG/.test(String(err))) throw err;
        await sleep(500);
      }
    }
    const switchAt = await switched;
    const dashboardAt = await shownAt(dashboard, before, 'the dashboard');
    const polledAt = await shownAt(polling, before, 'the polling page');
    quorumMs.push(dashboardAt - switchAt);
    pollMs.push(polledAt - switchAt);
    process.stdout.write(
      `run ${String(run)}/${String(runs)}: dashboard ${(dashboardAt - switchAt).toFixed(1)} ms, polling page ${(polledAt - switchAt).toFixed(1)} ms\n`,
    );
    // one linked replica is enough for the next failover; the demoted master follows only once
    // Sentinel converts it, up to 10 s later (its INFO period), which would triple the run time
    await replicasReady(admin, 1);
    await sleep(1500);
  }
}

function section(quorumMs: number[], pollMs: number[]): string {
  const quoteP99 = runs >= P99_MIN_RUNS;
  const row = (name: string, v: number[]) =>
    `| ${name} | ${percentile(v, 50).toFixed(0)} | ${percentile(v, 95).toFixed(0)} | ${quoteP99 ? percentile(v, 99).toFixed(0) : '-'} | ${Math.max(...v).toFixed(0)} |`;
  const ratio = percentile(pollMs, 50) / percentile(quorumMs, 50);
  const slower = ([50, 95] as const).filter((p) => percentile(quorumMs, p) > percentile(pollMs, p));
  return [
    '## Dashboard push latency',
    '',
    `From the first sentinel publishing \`+switch-master\` (the bench's own subscription to all three) to a page in headless chromium showing the new master (a MutationObserver in the page stamps the change); ${String(runs)} manual failovers (\`SENTINEL FAILOVER\`) of the default topology. Two pages in the same browser and the same run: quorum's dashboard, which the server pushes to over SSE, and a polling status page (a small HTTP server asking a sentinel \`SENTINEL GET-MASTER-ADDR-BY-NAME\` on each request, its page fetching that every ${String(POLL_MS / 1000)} s on a timer started at page load; each failover starts after a random wait of 0 to ${String(POLL_MS / 1000)} s, so it falls at a random phase of that timer). Before each failover at least one replica says its link to the master is up (the demoted master may still be waiting for Sentinel to convert it). During a failover the leading sentinel already names the promoted replica to \`GET-MASTER-ADDR-BY-NAME\` before it publishes \`+switch-master\`, so a page that catches that moment shows the new master early: a negative figure.`,
    '',
    '```sh',
    `npx tsx bench/push-latency.ts --runs ${String(runs)}   # ${new Date().toISOString().slice(0, 10)}, 2 cores, loopback`,
    '```',
    '',
    '| ms after +switch-master | p50 | p95 | p99 | max |',
    '| --- | --- | --- | --- | --- |',
    row('quorum dashboard (SSE push)', quorumMs),
    row(`polling page (every ${String(POLL_MS / 1000)} s)`, pollMs),
    '',
    `${
      quoteP99
        ? `Target: p99 under 100 ms: ${percentile(quorumMs, 99) < 100 ? 'met' : 'not met'} in this run.`
        : `No p99: ${String(runs)} runs are fewer than the ${String(P99_MIN_RUNS)} a p99 needs.`
    } ${
      slower.length === 0
        ? `The polling page takes ${ratio.toFixed(0)}x longer at the median.`
        : `The dashboard is slower than the polling page at p${slower.join(' and p')}.`
    }`,
    '',
  ].join('\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
  try {
    quorum(['down', '--dir', dir, '--purge']);
  } catch {
    // nothing was started
  }
  rmSync(dir, { recursive: true, force: true });
  process.exit(1);
});

/**
 * Push latency: from a sentinel publishing +switch-master to the dashboard in a real browser
 * showing the new master, over repeated manual failovers. In the same run, the peer: a
 * dashboard that polls Sentinel every 2 s (the usual Flask-page approach) and when it notices.
 *
 *   npx tsx bench/push-latency.ts [--runs 30]
 *
 * Writes the result into docs/benchmarks.md (section "Dashboard push latency").
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { launchBrowser } from '../test/browser.js';
import { percentile, writeSection } from './doc.js';
import { quorum, sleep } from './setup.js';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1] || 30);
const POLL_MS = 2000;
const dir = mkdtempSync(join(tmpdir(), 'quorum-bench-'));
const port = 17400;

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
  const admin = new Redis({ port: sentinels[0] });
  const poller = new Redis({ port: sentinels[1] });
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
  const page = await browser.newPage();
  await page.goto(url);
  await page.waitForSelector('[data-testid="agreed-master"]');
  await page.evaluate(`
    window.__changes = [];
    const el = document.querySelector('[data-testid="agreed-master"]');
    new MutationObserver(() => window.__changes.push({ text: el.textContent, t: performance.timeOrigin + performance.now() }))
      .observe(el, { characterData: true, childList: true, subtree: true });
  `);
  const quorumMs: number[] = [];
  const pollMs: number[] = [];
  for (let run = 1; run <= runs; run++) {
    const [host, portText] = (await admin.call(
      'SENTINEL',
      'GET-MASTER-ADDR-BY-NAME',
      'mymaster',
    )) as [string, string];
    const before = `${host}:${portText}`;
    const switched = new Promise<number>((resolve) => (pending = { resolve }));
    // the poller starts at a random phase of its 2 s period, as a real one would be
    const pollStart = Date.now() - Math.floor(Math.random() * POLL_MS);
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
    let polledAt = 0;
    // a poll scheduled before the switch saw the old master: the first that can see the new one
    // is the first tick of the poller's period at or after the switch
    let first = pollStart + POLL_MS;
    while (first < switchAt) first += POLL_MS;
    for (let t = first; ; t += POLL_MS) {
      await sleep(Math.max(0, t - Date.now()));
      const [h, p] = (await poller.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'mymaster')) as [
        string,
        string,
      ];
      if (`${h}:${p}` !== before) {
        polledAt = Date.now();
        break;
      }
    }
    const shownAt: number = await page.evaluate(
      `(() => { const c = window.__changes.filter((x) => x.text !== ${JSON.stringify(before)} && /^\\d/.test(x.text)); return c.length ? c[0].t : 0; })()`,
    );
    await page.evaluate('window.__changes = []');
    if (shownAt === 0) throw new Error(`run ${run}: the page never showed a new master`);
    quorumMs.push(shownAt - switchAt);
    pollMs.push(polledAt - switchAt);
    process.stdout.write(
      `run ${run}/${runs}: dashboard ${(shownAt - switchAt).toFixed(1)} ms, 2 s poller ${polledAt - switchAt} ms\n`,
    );
    // let the replicas follow the new master before the next failover
    for (let i = 0; i < 60; i++) {
      const replicas = (await admin.call('SENTINEL', 'REPLICAS', 'mymaster')) as string[][];
      const ready = replicas.filter((r) => {
        const f = r[r.indexOf('flags') + 1] ?? '';
        const link = r[r.indexOf('master-link-status') + 1];
        return !f.includes('down') && link === 'ok';
      });
      if (ready.length === 2) break;
      await sleep(500);
    }
    await sleep(1500);
  }
  await browser.close();
  for (const r of [...subscribers, admin, poller]) r.disconnect();
  quorum(['down', '--dir', dir, '--purge']);
  rmSync(dir, { recursive: true, force: true });

  const row = (name: string, v: number[]) =>
    `| ${name} | ${percentile(v, 50).toFixed(0)} | ${percentile(v, 95).toFixed(0)} | ${percentile(v, 99).toFixed(0)} | ${Math.max(...v).toFixed(0)} |`;
  const ratio = percentile(pollMs, 50) / percentile(quorumMs, 50);
  const section = [
    '## Dashboard push latency',
    '',
    `From the first sentinel publishing \`+switch-master\` to the dashboard, open in headless chromium, showing the new master; ${runs} manual failovers (\`SENTINEL FAILOVER\`) of the default topology. Peer in the same run: a page that polls \`SENTINEL GET-MASTER-ADDR-BY-NAME\` every 2 s, at a random phase.`,
    '',
    '```sh',
    `npx tsx bench/push-latency.ts --runs ${runs}   # ${new Date().toISOString().slice(0, 10)}, 2 cores, loopback`,
    '```',
    '',
    '| ms after +switch-master | p50 | p95 | p99 | max |',
    '| --- | --- | --- | --- | --- |',
    row('quorum dashboard (SSE push)', quorumMs),
    row('2 s poller (peer)', pollMs),
    '',
    `Target: p99 under 100 ms. The poller takes ${ratio.toFixed(0)}x longer at the median.`,
    '',
  ].join('\n');
  writeSection('Dashboard push latency', section);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
  try {
    quorum(['down', '--dir', dir, '--purge']);
  } catch {
    // nothing was started
  }
  process.exit(1);
});

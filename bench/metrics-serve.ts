/**
 * The metrics bench's quorum process: an observer on every target of `--mode` and the server
 * with /metrics. It prints its /metrics URL as one JSON line once the first poll is done; its
 * observers stop there unless `--keep-polling`. Started by bench/metrics-scrape.ts.
 */
import { attach } from '../src/deployment/index.js';
import { Hub, startDashboard } from '../src/server/index.js';
import { targetsOf, type Mode } from './metrics-fleet.js';

export const METRICS_TOKEN = 'bench-metrics-token';

async function serve(mode: Mode, nodes: number, keepPolling: boolean): Promise<void> {
  const hub = new Hub();
  const deployments = targetsOf(mode, nodes).map((t) => attach(t, { timeoutMs: 1000 }));
  for (const d of deployments) {
    hub.add(d);
    await d.observer.start();
    await d.observer.poll();
  }
  if (!keepPolling) for (const d of deployments) await d.observer.stop();
  const dashboard = await startDashboard(hub, {
    host: '127.0.0.1',
    port: 0,
    token: null,
    viewerToken: null,
    readOnly: true,
    metricsToken: METRICS_TOKEN,
    metricsPublic: false,
  });
  process.stdout.write(`${JSON.stringify({ url: `${dashboard.url}metrics` })}\n`);
  await new Promise((r) => process.once('SIGTERM', r));
  for (const d of deployments) await d.observer.stop();
  await dashboard.close();
}

const arg = (name: string) => process.argv[process.argv.indexOf(name) + 1] ?? '';
if (process.argv[1] === new URL(import.meta.url).pathname)
  void serve(
    arg('--mode') === 'sentinel' ? 'sentinel' : 'standalone',
    Number(arg('--nodes')),
    process.argv.includes('--keep-polling'),
  );

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readState } from '../src/local/index.js';
import { grafanaExpressions } from '../src/export/index.js';
import type { WebhookPayload } from '../src/alerts/index.js';
import { ALERT_RULES } from '../src/alerts/index.js';
import {
  explainFailover,
  freePorts,
  quorum,
  startDeployment,
  tempDir,
  type TestDeployment,
  waitFor,
} from './helpers.js';

const METRICS_TOKEN = 'metrics-token-for-prometheus';

function promtool(args: string[], input?: string) {
  const run = spawnSync('promtool', args, { input, encoding: 'utf8', timeout: 30_000 });
  return { code: run.status, out: `${run.stdout}${run.stderr}` };
}

/** Metric names a PromQL expression reads (its identifiers followed by `{`, `[`, `)` or space). */
function metricNames(expr: string): string[] {
  return [...expr.matchAll(/\b((?:redis|quorum)_[a-z_]+)\b/g)].map((m) => m[1] ?? '');
}

describe('Prometheus: a real server scrapes quorum and fires the failover alert', () => {
  let deployment: TestDeployment;
  let dir = '';
  let metricsUrl = '';
  let prometheus: ChildProcess | null = null;
  let promUrl = '';
  let hook: Server;
  const received: WebhookPayload[] = [];

  beforeAll(async () => {
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push(JSON.parse(body) as WebhookPayload);
        res.end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/alerts`;
    const dashPort = await freePorts(1);
    const config = join(tempDir('prom-config'), 'quorum.yaml');
    writeFileSync(
      config,
      `alerts:\n  notifiers:\n    - { name: test, type: webhook, url: "${hookUrl}", timeout: 2s }\n`,
    );
    deployment = await startDeployment('prom', [
      '--down-after',
      '1000',
      '--no-proxy',
      '--dashboard-port',
      String(dashPort),
      '--metrics-token',
      METRICS_TOKEN,
      '--config',
      config,
    ]);
    expect(deployment.up.code, deployment.up.stderr).toBe(0);
    dir = deployment.dir;
    const url = readState(dir)?.dashboard?.url;
    if (!url) throw new Error('no dashboard in state.json');
    metricsUrl = `${url}metrics`;
  });

  afterAll(async () => {
    prometheus?.kill('SIGKILL');
    hook.closeAllConnections();
    hook.close();
    await deployment.down();
  });

  const scrape = async () => {
    const res = await fetch(metricsUrl, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
      signal: AbortSignal.timeout(5000),
    });
    expect(res.status).toBe(200);
    return res.text();
  };

  it('serves a scrape that promtool check metrics accepts, and 401 without the token', async () => {
    expect((await fetch(metricsUrl, { signal: AbortSignal.timeout(5000) })).status).toBe(401);
    const text = await scrape();
    const check = promtool(['check', 'metrics'], text);
    expect(check.out).toBe('');
    expect(check.code).toBe(0);
    expect(text).toContain(
      `redis_up{deployment="mymaster",addr="127.0.0.1:${deployment.port}",role="master"} 1`,
    );
  });

  it('exports rules that pass promtool check rules and their own promtool unit tests', async () => {
    const rules = join(dir, 'quorum-rules.yml');
    const tests = join(dir, 'quorum-rules.test.yml');
    const run = await quorum(['export', 'prometheus-rules', '-o', rules, '--tests', tests]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`promtool test rules ${tests}`);
    const check = promtool(['check', 'rules', rules]);
    expect(check.out).toContain(`SUCCESS: ${ALERT_RULES.length} rules found`);
    const unit = promtool(['test', 'rules', tests]);
    expect(unit.out).toContain('SUCCESS');
    expect(unit.code).toBe(0);
  });

  it('exports a Grafana dashboard whose every query parses and reads metrics quorum serves', async () => {
    const run = await quorum(['export', 'grafana']);
    expect(run.code).toBe(0);
    const dashboard = JSON.parse(run.stdout) as { panels: { targets: { expr: string }[] }[] };
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr));
    expect(exprs.length).toBeGreaterThan(10);
    // promtool parses PromQL only inside rules: each query becomes a recording rule
    const file = join(dir, 'grafana-queries.yml');
    const asRules = grafanaExpressions().map(
      (expr, i) =>
        `      - record: grafana_query_${i}\n        expr: '${expr.replaceAll('$deployment', 'mymaster').replaceAll("'", "''")}'`,
    );
    writeFileSync(file, `groups:\n  - name: grafana\n    rules:\n${asRules.join('\n')}\n`);
    const check = promtool(['check', 'rules', file]);
    expect(check.out).toContain(`SUCCESS: ${grafanaExpressions().length} rules found`);
    const served = new Set(
      (await scrape())
        .split('\n')
        .flatMap((l) => (l.startsWith('# TYPE ') ? [l.split(' ')[2]] : [])),
    );
    // these appear once something happened (an alert, a failover, a proxy session)
    const later =
      /^(quorum_alert_firing|quorum_last_failover_(detection_)?seconds|quorum_proxy_.*)$/;
    const missing = grafanaExpressions()
      .flatMap(metricNames)
      .filter((name) => !served.has(name) && !later.test(name));
    expect(missing).toEqual([]);
  });

  it('fires RedisFailover in Prometheus and in quorum (event log and webhook) after the master is killed', async () => {
    const promPort = await freePorts(1);
    const rules = join(dir, 'quorum-rules.yml');
    const { host, port } = new URL(metricsUrl);
    writeFileSync(
      join(dir, 'prometheus.yml'),
      [
        'global: { scrape_interval: 1s, evaluation_interval: 1s }',
        `rule_files: ["${rules}"]`,
        'scrape_configs:',
        '  - job_name: quorum',
        '    authorization: { credentials: "' + METRICS_TOKEN + '" }',
        `    static_configs: [{ targets: ["${host || `127.0.0.1:${port}`}"] }]`,
        '',
      ].join('\n'),
    );
    promUrl = `http://127.0.0.1:${promPort}`;
    prometheus = spawn(
      'prometheus',
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'prometheus-data')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
      ],
      { stdio: 'ignore' },
    );
    const api = async <T>(path: string): Promise<T | undefined> => {
      try {
        const res = await fetch(`${promUrl}${path}`, { signal: AbortSignal.timeout(2000) });
        return ((await res.json()) as { data: T }).data;
      } catch {
        return undefined;
      }
    };
    await waitFor('Prometheus to scrape quorum', 30_000, async () => {
      const data = await api<{ activeTargets: { health: string }[] }>('/api/v1/targets');
      return data?.activeTargets[0]?.health === 'up' ? true : undefined;
    });
    const kill = await quorum(['node', 'kill', 'redis-1', '--dir', dir]);
    expect(kill.code, kill.stderr).toBe(0);
    type Alerts = { alerts: { labels: Record<string, string>; state: string }[] };
    // Sentinel's failover (an election lost on a starved machine is retried 20 s later), then
    // a scrape and a rule evaluation
    const alert = await explainFailover(dir, () =>
      waitFor('RedisFailover to fire in Prometheus', 60_000, async () => {
        const data = await api<Alerts>('/api/v1/alerts');
        return data?.alerts.find(
          (a) => a.labels.alertname === 'RedisFailover' && a.state === 'firing',
        );
      }),
    );
    expect(alert.labels).toMatchObject({ deployment: 'mymaster', severity: 'info' });
    const changes = await api<{ result: { value: [number, string] }[] }>(
      '/api/v1/query?query=quorum_master_changes_total%7Bdeployment%3D%22mymaster%22%7D',
    );
    expect(changes?.result[0]?.value[1]).toBe('1');
    // quorum's own alerting saw the same: on the event log, and posted to the webhook
    const events = readFileSync(join(dir, 'events.jsonl'), 'utf8');
    expect(events).toMatch(/"type":"quorum:alert-firing".*"rule":"RedisFailover"/);
    const posted = await waitFor('the webhook to receive RedisFailover', 10_000, () =>
      received.find((p) => p.alert.rule === 'RedisFailover' && p.status === 'firing'),
    );
    expect(posted.alert.deployment).toBe('mymaster');
    expect(posted.alert.summary).toContain(
      'the master moved in the last 10 minutes; it is now 127.0.0.1:',
    );
    const start = await quorum(['node', 'start', 'redis-1', '--dir', dir]);
    expect(start.code, start.stderr).toBe(0);
  });
});

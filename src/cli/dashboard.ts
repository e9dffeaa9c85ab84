import { resolve } from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../model/index.js';
import type { Dashboard } from '../server/index.js';
import type { Deployment } from '../deployment/index.js';
import { attach, openLocal } from '../deployment/index.js';
import { DEFAULT_DASHBOARD_PORT, Hub, startDashboard } from '../server/index.js';
import type { AlertConfig } from '../alerts/index.js';
import type { QuorumConfig } from './config-file.js';
import { loadConfig } from './config-file.js';
import { intOption } from './errors.js';
import { accessFrom } from './access-input.js';
import type { TargetOptions } from './target.js';
import { resolveTarget } from './target.js';
import { accessFlags } from './access-flags.js';

export interface DashboardFlags {
  dashboardHost: string;
  dashboardPort: number;
  token?: string;
  viewerToken?: string;
  readOnly?: boolean;
  /** The port was not chosen by the user: a taken one falls back to a free one. */
  dashboardPortIsDefault?: boolean;
  metricsToken?: string;
  metricsPublic?: boolean;
  /** Built-in alert settings and notifiers (quorum.yaml's `alerts`). */
  alerts?: AlertConfig;
  /** The dashboard's own certificate and key (files), for HTTPS. */
  tlsCert?: string;
  tlsKey?: string;
  insecureHttp?: boolean;
}

/** The dashboard's HTTPS files, read and checked now: one sentence for a bad one. */
export function dashboardTls(flags: Pick<DashboardFlags, 'tlsCert' | 'tlsKey'>): {
  cert: string;
  key: string;
} | null {
  if (flags.tlsCert === undefined && flags.tlsKey === undefined) return null;
  const access = accessFrom(
    'node',
    { tls: true, cert: flags.tlsCert, key: flags.tlsKey },
    (f) => (f === 'cert' ? '--tls-cert' : f === 'key' ? '--tls-key' : `--${f}`),
    {},
  );
  const cert = access.tls?.cert;
  const key = access.tls?.key;
  if (!cert || !key) throw new UserError('--tls-cert and --tls-key go together', 2);
  return { cert, key };
}

/** The flags every command that serves the dashboard shares for /metrics. */
export function addMetricsOptions(command: Command): Command {
  return command
    .option(
      '--metrics-token <token>',
      'a token that may only read /metrics, for Prometheus (or QUORUM_METRICS_TOKEN)',
    )
    .option(
      '--metrics-public',
      'serve /metrics without a token (for a scraper on a trusted network)',
    )
    .option('--tls-cert <file>', "the dashboard's own PEM certificate: serve it over HTTPS")
    .option('--tls-key <file>', 'the PEM private key of --tls-cert')
    .option(
      '--insecure-http',
      'serve plain HTTP on an address beyond loopback (tokens cross the network readable)',
    );
}

/** Serves the dashboard for the given deployments; the hub follows each observer's bus. */
export async function serveDashboard(
  deployments: Deployment[],
  flags: DashboardFlags,
): Promise<{ hub: Hub; dashboard: Dashboard }> {
  const hub = new Hub(flags.alerts);
  for (const deployment of deployments) hub.add(deployment);
  const dashboard = await startDashboard(hub, {
    host: flags.dashboardHost,
    port: flags.dashboardPort,
    token: flags.token ?? process.env.QUORUM_TOKEN ?? null,
    viewerToken: flags.viewerToken ?? process.env.QUORUM_VIEWER_TOKEN ?? null,
    readOnly: flags.readOnly === true,
    fallbackToFreePort: flags.dashboardPortIsDefault === true,
    metricsToken: flags.metricsToken ?? process.env.QUORUM_METRICS_TOKEN ?? null,
    metricsPublic: flags.metricsPublic === true,
    tls: dashboardTls(flags),
    insecureHttp: flags.insecureHttp === true,
  });
  return { hub, dashboard };
}

interface DashboardOptions extends TargetOptions {
  config?: string;
  host: string;
  port: number;
  token?: string;
  viewerToken?: string;
  readOnly?: boolean;
  metricsToken?: string;
  metricsPublic?: boolean;
  tlsCert?: string;
  tlsKey?: string;
  insecureHttp?: boolean;
}

async function deploymentsFor(
  opts: DashboardOptions,
  config: QuorumConfig | null,
): Promise<Deployment[]> {
  const options = { timeoutMs: opts.timeout };
  if (config !== null) return config.deployments.map((target) => attach(target, options));
  const { target, local, dir } = await resolveTarget(opts);
  return [local && dir !== null ? openLocal(dir, options) : attach(target, options)];
}

export function registerDashboard(program: Command): void {
  const command = program
    .command('dashboard')
    .description(
      'serve the live dashboard for existing deployments (quorum.yaml, --sentinel, or the local one in --dir)',
    )
    .option('--config <file>', 'quorum.yaml: deployments to attach to, and alerts')
    .option('--dir <dir>', 'data directory of a local deployment', '.quorum')
    .option('--sentinel <addrs>', 'attach to one deployment: sentinel addresses, host:port[,...]')
    .option(
      '--cluster <addrs>',
      'attach to one Redis Cluster: seed node addresses, host:port[,...]',
    )
    .option('--master-name <name>', 'with --sentinel: the monitored master (default: the only one)')
    .option('--timeout <ms>', 'time allowed for each call', intOption(100, 60_000), 1000)
    .option('--host <host>', 'address to serve on', '127.0.0.1')
    .option(
      '--port <port>',
      'port to serve on (0 picks a free one)',
      intOption(0, 65535),
      DEFAULT_DASHBOARD_PORT,
    )
    .option(
      '--token <token>',
      'admin token (or QUORUM_TOKEN); required to serve on a non-loopback address',
    )
    .option('--viewer-token <token>', 'an extra token that can only view')
    .option('--read-only', 'refuse every action, whatever the token');
  addMetricsOptions(accessFlags(command)).action(async (opts: DashboardOptions) => {
    if (opts.config !== undefined && (opts.sentinel !== undefined || opts.cluster !== undefined))
      throw new UserError('pass either --config or --sentinel/--cluster, not both', 2);
    const config = opts.config !== undefined ? loadConfig(opts.config) : null;
    const sources = await deploymentsFor({ ...opts, dir: resolve(opts.dir) }, config);
    // quorum.yaml's dashboardTls, unless the flags name other files
    if (config?.dashboardTls && opts.tlsCert === undefined && opts.tlsKey === undefined) {
      opts.tlsCert = config.dashboardTls.cert;
      opts.tlsKey = config.dashboardTls.key;
    }
    const { hub, dashboard } = await serveDashboard(sources, {
      dashboardHost: opts.host,
      dashboardPort: opts.port,
      ...(opts.token !== undefined ? { token: opts.token } : {}),
      ...(opts.viewerToken !== undefined ? { viewerToken: opts.viewerToken } : {}),
      readOnly: opts.readOnly === true,
      ...(opts.metricsToken !== undefined ? { metricsToken: opts.metricsToken } : {}),
      metricsPublic: opts.metricsPublic === true,
      ...(config ? { alerts: config.alerts } : {}),
      ...(opts.tlsCert !== undefined ? { tlsCert: opts.tlsCert } : {}),
      ...(opts.tlsKey !== undefined ? { tlsKey: opts.tlsKey } : {}),
      insecureHttp: opts.insecureHttp === true,
    });
    await Promise.all(sources.map((s) => s.observer.start()));
    process.stdout.write(`dashboard: ${dashboard.loginUrl}\n`);
    process.stdout.write(
      `watching ${sources.map((s) => `'${s.name}'`).join(', ')}; Ctrl-C to stop\n`,
    );
    await new Promise<void>((done) => {
      for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => done());
    });
    await hub.close();
    await dashboard.close();
    await Promise.all(sources.map((s) => s.observer.stop()));
  });
}

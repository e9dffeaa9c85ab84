import { resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { UserError } from '../model/index.js';
import {
  DEFAULT_FAILOVER_TIMEOUT_MS,
  isPortFree,
  labUnavailable,
  modes,
  networks,
  planLab,
  preflight,
  presets,
  readState,
  tlsAuthClients,
} from '../local/index.js';
import { checkTokens, DEFAULT_DASHBOARD_PORT } from '../server/index.js';
import { loadConfig } from './config-file.js';
import { addMetricsOptions, dashboardTls } from './dashboard.js';
import { intOption } from './errors.js';
import type { UpOptions } from './up-run.js';
import { runDetached } from './up-detach.js';
import { runForeground } from './up-run.js';
import { chooseSpec } from './up-spec.js';

/** An explicit --dashboard-port must be free before anything starts; the default may be taken. */
async function checkDashboardPort(opts: UpOptions): Promise<void> {
  if (opts.dashboardPortIsDefault === true || opts.dashboardPort === 0) return;
  if (await isPortFree(opts.dashboardHost, opts.dashboardPort)) return;
  throw new UserError(
    `the dashboard port ${opts.dashboardPort} is already in use on ${opts.dashboardHost}; pick another with --dashboard-port (0 picks a free one)`,
  );
}

export function registerUp(program: Command): void {
  addMetricsOptions(program.command('up'))
    .description(
      'launch a local Sentinel deployment (or, with --mode cluster, a Redis Cluster) from the real Redis binaries and supervise it',
    )
    .option('--dir <dir>', 'data directory (configs, data, logs, state)', '.quorum')
    .addOption(
      new Option('--mode <mode>', 'sentinel: master, replicas, sentinels; cluster: a Redis Cluster')
        .choices(modes)
        .default('sentinel'),
    )
    .option('--masters <n>', 'cluster: masters sharing the 16384 slots', intOption(1, 16), 3)
    .option('--replicas-per-master <n>', 'cluster: replicas of each master', intOption(0, 4), 1)
    .option(
      '--node-timeout <ms>',
      'cluster: cluster-node-timeout (failure detection)',
      intOption(100, 3_600_000),
      5000,
    )
    .option('--name <name>', "master name the sentinels monitor (cluster: 'mycluster')", 'mymaster')
    .option('--replicas <n>', 'replicas of the master', intOption(0, 16), 2)
    .option('--sentinels <n>', 'sentinels', intOption(1, 9), 3)
    .option(
      '--quorum <n>',
      'sentinels that must agree the master is down (default: a majority)',
      intOption(1, 99),
    )
    .option(
      '--down-after <ms>',
      'sentinel down-after-milliseconds',
      intOption(100, 3_600_000),
      5000,
    )
    .option(
      '--failover-timeout <ms>',
      'sentinel failover-timeout; 10 s by default, because when the sentinels split their votes Sentinel tries again only after twice this (20 s, not the 2 min of 60 s), and a local failover needs about 1 s of it',
      intOption(1000, 86_400_000),
      DEFAULT_FAILOVER_TIMEOUT_MS,
    )
    .option(
      '--port <port>',
      'first data port (data nodes take consecutive ports; cluster: 7000)',
      intOption(1024, 65535),
      6390,
    )
    .option(
      '--sentinel-port <port>',
      'first sentinel port (default: --port + 20000)',
      intOption(1024, 65535),
    )
    .option(
      '--password <password>',
      'requirepass/masterauth on every node, auth-pass and requirepass on sentinels (or QUORUM_PASSWORD)',
    )
    .option(
      '--tls',
      'TLS only on every process (port 0 + tls-port, tls-replication), with a CA and certificates made by openssl in <dir>/tls/; the proxy passes TLS through',
    )
    .addOption(
      new Option(
        '--tls-auth-clients <mode>',
        'with --tls: whether servers require a client certificate',
      )
        .choices(tlsAuthClients)
        .default('yes'),
    )
    .option(
      '--acl',
      'ACL users on every process (quorum, sentinel, replica, backup, app; default user off), passwords in <dir>/acl/; --password becomes the app user’s',
    )
    .option('--autorestart', 'restart a process that exits without being asked to')
    .addOption(
      new Option(
        '--network <kind>',
        'lab: every process in its own network namespace with its own address (needs root), so network faults can cut the links between them',
      )
        .choices(networks)
        .default('loopback'),
    )
    .addOption(
      new Option(
        '--preset <name>',
        'safe: min-replicas-to-write 1, min-replicas-max-lag 10, AOF everysec + RDB, shutdown-timeout 10',
      )
        .choices(presets)
        .default('default'),
    )
    .option('--detach', 'return once healthy and leave the supervisor running in the background')
    .option(
      '--health-timeout <seconds>',
      'how long to wait for the deployment to become healthy',
      intOption(1, 3600),
      60,
    )
    .option('--json', 'print the healthy topology as JSON (no live events)')
    .option(
      '--proxy-port <port>',
      "the proxy's write port; reads on the next one (default: right after the data ports)",
      intOption(1024, 65534),
    )
    .option('--no-proxy', 'run no proxy')
    .option('--no-dashboard', 'do not serve the dashboard')
    .option('--dashboard-host <host>', 'address the dashboard is served on', '127.0.0.1')
    .option(
      '--dashboard-port <port>',
      `dashboard port (0 picks a free one; default ${DEFAULT_DASHBOARD_PORT}, or a free one if that is taken)`,
      intOption(0, 65535),
    )
    .option('--token <token>', 'dashboard admin token (or QUORUM_TOKEN; default: random, printed)')
    .option('--viewer-token <token>', 'an extra dashboard token that can only view')
    .option('--read-only', 'the dashboard refuses every action')
    .option('--config <file>', "quorum.yaml: its 'alerts' section (rules, notifiers)")
    .addOption(
      new Option('--supervisor', 'run as the background supervisor (used by --detach)').hideHelp(),
    )
    .action(async (opts: UpOptions, cmd: Command) => {
      const dir = resolve(opts.dir);
      const spec = chooseSpec(cmd, opts, opts.dir, readState(dir));
      if (spec.network === 'lab' && !spec.lab) {
        const why = labUnavailable();
        if (why) throw new UserError(why, 2);
        spec.lab = planLab(dir);
      }
      const served = (
        [
          ['--config', opts.config !== undefined],
          ['--metrics-token', opts.metricsToken !== undefined],
          ['--metrics-public', opts.metricsPublic === true],
        ] as const
      ).find(([, given]) => given);
      if (!opts.dashboard && served)
        throw new UserError(
          `${served[0]} needs the dashboard's server, which serves /metrics and runs the alerts; drop --no-dashboard`,
          2,
        );
      if (opts.config !== undefined) {
        // read before anything starts, so a bad file costs nothing; the background child reads it again
        opts.config = resolve(opts.config);
        const config = loadConfig(opts.config, process.env, { requireDeployments: false });
        opts.alerts = config.alerts;
        if (config.dashboardTls && opts.tlsCert === undefined && opts.tlsKey === undefined) {
          opts.tlsCert = config.dashboardTls.cert;
          opts.tlsKey = config.dashboardTls.key;
        }
      }
      if (opts.dashboard) {
        checkTokens({
          host: opts.dashboardHost,
          token: opts.token ?? process.env.QUORUM_TOKEN ?? null,
          viewerToken: opts.viewerToken ?? process.env.QUORUM_VIEWER_TOKEN ?? null,
          metricsToken: opts.metricsToken ?? process.env.QUORUM_METRICS_TOKEN ?? null,
          tls: dashboardTls(opts),
          insecureHttp: opts.insecureHttp === true,
        });
      }
      const binaries = await preflight(dir, spec);
      if (opts.dashboard) {
        opts.dashboardPortIsDefault = cmd.getOptionValueSource('dashboardPort') !== 'cli';
        if (opts.dashboardPortIsDefault) opts.dashboardPort = DEFAULT_DASHBOARD_PORT;
        await checkDashboardPort(opts);
      }
      if (opts.detach === true) await runDetached(spec, dir, opts, opts.dir);
      else await runForeground(spec, dir, opts, opts.dir, binaries);
    });
}

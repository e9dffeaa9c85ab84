import { chmodSync, writeFileSync } from 'node:fs';
import { basename, dirname, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import {
  renderGrafana,
  renderHaproxy,
  renderPrometheusRules,
  renderPrometheusRuleTests,
} from '../export/index.js';
import { UserError } from '../model/index.js';
import { DEFAULT_ALERT_SETTINGS } from '../alerts/index.js';
import { loadConfig } from './config-file.js';
import { intOption } from './errors.js';
import type { TargetOptions } from './target.js';
import { observeOnce, resolveTarget, targetOptions } from './target.js';

interface ExportHaproxyOptions extends TargetOptions {
  bind: string;
  writePort: number;
  readPort: number;
  naive?: boolean;
  output?: string;
}

/** Writes `text` to `output`, or to standard output without one; says what it wrote on stderr. */
function emit(text: string, output: string | undefined, check: (file: string) => string): void {
  if (output === undefined) {
    process.stdout.write(text);
    return;
  }
  try {
    writeFileSync(output, text);
  } catch (err) {
    throw new UserError(`cannot write ${output}: ${(err as Error).message}`);
  }
  process.stderr.write(`wrote ${output}; ${check(output)}\n`);
}

/**
 * Prometheus rules and the Grafana dashboard serve every deployment by its label, so a --dir
 * (which the other commands take) is refused with the reason rather than ignored.
 */
function noDir(command: Command, what: string, instead: string): Command {
  return command
    .addOption(
      new Option('--dir <dir>', 'not taken: the same file serves every deployment').hideHelp(),
    )
    .hook('preAction', (cmd) => {
      if (cmd.opts<{ dir?: string }>().dir !== undefined)
        throw new UserError(
          `${what} serve every deployment by its 'deployment' label, so they take no --dir; ${instead}`,
          2,
        );
    });
}

interface ExportRulesOptions {
  config?: string;
  output?: string;
  tests?: string;
}

/** `quorum export ...`: deploy files for what quorum knows of a deployment. */
export function registerExport(program: Command): void {
  const exporter = program
    .command('export')
    .description('write configuration for other tools from a deployment');
  targetOptions(
    exporter
      .command('haproxy')
      .description(
        'haproxy.cfg: a write port that needs role:master AND a quorum of sentinels, a read port over linked replicas',
      ),
  )
    .option('--bind <host>', 'address HAProxy listens on', '0.0.0.0')
    .option('--write-port <port>', 'port for writes', intOption(1, 65535), 6380)
    .option('--read-port <port>', 'port for reads', intOption(1, 65535), 6381)
    .option('--naive', 'the usual config instead (role:master alone), to compare against')
    .option('-o, --output <file>', 'write to this file instead of standard output')
    .action(async (opts: ExportHaproxyOptions) => {
      const resolved = await resolveTarget(opts);
      const { observer, topology } = await observeOnce(resolved, opts.timeout);
      await observer.stop();
      const { target, local } = resolved;
      if (topology.kind !== 'sentinel' || target.kind !== 'sentinel')
        throw new UserError(
          `'${target.name}' is a Redis Cluster, and HAProxy cannot route by slot: cluster clients must follow MOVED and ASK themselves (redis-cli -c, or a cluster client such as ioredis's Cluster), given the nodes' addresses; 'quorum cluster info' lists them`,
          2,
        );
      if (target.access.tls !== null || target.sentinelAccess.tls !== null)
        throw new UserError(
          `'${target.name}' speaks TLS, and the exported checks speak plain TCP; quorum's own proxy (quorum proxy) passes TLS through and routes on TLS checks`,
          2,
        );
      const quorum =
        (local?.spec.mode === 'sentinel' ? local.spec.quorum : undefined) ??
        Math.max(1, ...topology.sentinels.map((s) => s.quorum ?? 0).filter((q) => q > 0));
      const text = renderHaproxy({
        deployment: target.name,
        masterName: target.masterName,
        nodes: topology.nodes.map((n) => n.addr),
        sentinels: topology.sentinels.map((s) => s.addr),
        quorum,
        access: target.access,
        sentinelAccess: target.sentinelAccess,
        bind: opts.bind,
        writePort: opts.writePort,
        readPort: opts.readPort,
        naive: opts.naive === true,
      });
      if (opts.output === undefined) {
        process.stdout.write(text);
        return;
      }
      // a file that holds a password is readable by its owner only, also when it existed before
      const secret = target.access.password !== null || target.sentinelAccess.password !== null;
      writeFileSync(opts.output, text, { mode: secret ? 0o600 : 0o644 });
      if (secret) chmodSync(opts.output, 0o600);
      process.stderr.write(
        `wrote ${opts.output}${secret ? ' (it contains a password: mode 600)' : ''}; check it with: haproxy -c -f ${opts.output}\n`,
      );
    });
  noDir(
    exporter.command('prometheus-rules'),
    'the alert rules',
    "load them in Prometheus, which scrapes the dashboard's /metrics (thresholds come from --config quorum.yaml)",
  )
    .description(
      'Prometheus alert rules over quorum /metrics, grouped by deployment (node down, no master, split brain, sentinels, lag, memory, failover)',
    )
    .option(
      '--config <file>',
      "quorum.yaml: thresholds, 'for' and switched-off rules from its alerts section",
    )
    .option('-o, --output <file>', 'write to this file instead of standard output')
    .option('--tests <file>', 'also write promtool unit tests for the rules (needs --output)')
    .action((opts: ExportRulesOptions) => {
      if (opts.tests !== undefined && opts.output === undefined)
        throw new UserError('--tests needs --output: the tests name the rules file they check', 2);
      const settings =
        opts.config !== undefined
          ? loadConfig(opts.config, process.env, { requireDeployments: false }).alerts.settings
          : DEFAULT_ALERT_SETTINGS;
      emit(
        renderPrometheusRules(settings),
        opts.output,
        (f) => `check it with: promtool check rules ${f}`,
      );
      if (opts.tests !== undefined && opts.output !== undefined) {
        const rulesFile =
          relative(dirname(resolve(opts.tests)), resolve(opts.output)) || basename(opts.output);
        emit(
          renderPrometheusRuleTests(rulesFile),
          opts.tests,
          (f) => `run them with: promtool test rules ${f}`,
        );
      }
    });
  noDir(
    exporter.command('grafana'),
    "Grafana's panels",
    "import the file in Grafana, over a Prometheus that scrapes the dashboard's /metrics",
  )
    .description(
      'a Grafana dashboard over quorum /metrics: roles over time, failovers, lag, memory, ops/s, sentinel agreement',
    )
    .option('-o, --output <file>', 'write to this file instead of standard output')
    .action((opts: { output?: string }) => {
      emit(renderGrafana(), opts.output, () => 'import it in Grafana: Dashboards -> New -> Import');
    });
}

import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { Option } from 'commander';
import { UserError } from '../model/index.js';
import type { Scenario, ScenarioKind, ScenarioResult, Via } from '../drill/index.js';
import {
  DEFAULT_WORKLOAD,
  kindRefusal,
  renderReport,
  runDrills,
  SCENARIOS,
  scenarioNamed,
  scenariosFor,
  VIAS,
} from '../drill/index.js';
import type { DrillTargetOptions } from './drill-target.js';
import {
  attachedTarget,
  deploymentOf,
  ensureLocal,
  localTarget,
  stillRunning,
} from './drill-target.js';
import { renderResult } from './drill-render.js';
import { closest, intOption } from './errors.js';
import { table } from './format.js';
import { targetOptions } from './target.js';

interface DrillOptions extends DrillTargetOptions {
  report?: string;
  ledger?: string;
  runs: number;
  writers: number;
  rate: number;
  via?: Via;
  json?: boolean;
}

export function registerDrill(program: Command): void {
  targetOptions(
    program
      .command('drill')
      .description(
        'break a deployment on purpose and measure failover, unavailability and lost writes',
      )
      .argument(
        '<scenario>',
        `one of: ${SCENARIOS.map((s) => s.name).join(', ')}; or all (the scenarios for the deployment's kind); or list`,
      ),
  )
    .option('--runs <n>', 'runs per scenario', intOption(1, 100), 1)
    .option(
      '--writers <n>',
      'concurrent writers (on a cluster: per shard)',
      intOption(1, 64),
      DEFAULT_WORKLOAD.writers,
    )
    .option(
      '--rate <n>',
      'writes per second, all writers together',
      intOption(1, 100_000),
      DEFAULT_WORKLOAD.rate,
    )
    .addOption(
      new Option(
        '--via <how>',
        "how writers find the master: sentinel (ioredis), role-check (as HAProxy) or proxy (quorum's); default: the scenario's",
      ).choices(VIAS),
    )
    .option(
      '--yes-really',
      'with --sentinel or --cluster: run against a deployment quorum did not launch',
    )
    .option('--json', 'print { scenario, runs: [...], summary } (a list of those for all)')
    .option(
      '--ledger <file>',
      "append every write, what the client was told and whether it is present, as JSON lines; the drill's keys are kept, so the verdict can be checked against the data",
    )
    .option(
      '--report <file>',
      'also write an HTML report: charts, measurements and their expected bounds',
    )
    .action(async (name: string, opts: DrillOptions) => {
      if (name === 'list') {
        process.stdout.write(scenarioList());
        return;
      }
      const named = scenarioNamed(name);
      if (name !== 'all' && !named) {
        const near = closest(
          name,
          SCENARIOS.map((s) => s.name),
        );
        throw new UserError(
          `there is no scenario '${name}'${near ? ` (did you mean ${near}?)` : ''}; use one of: ${SCENARIOS.map((s) => s.name).join(', ')}, or all`,
          2,
        );
      }
      const { kind, name: deployment } = deploymentOf(opts, named);
      const attached = opts.sentinel !== undefined || opts.cluster !== undefined;
      const chosen = named
        ? [named]
        : scenariosFor(kind).filter((s) => !attached || !s.fault.needsProcesses);
      const refusal = named ? kindRefusal(named, kind, deployment) : null;
      if (refusal) throw new UserError(refusal, 2);
      if (kind === 'cluster' && opts.via !== undefined)
        throw new UserError(
          '--via is for Sentinel deployments; on a cluster the writers use a cluster client, which follows MOVED and ASK',
          2,
        );
      const started = !attached && (await ensureLocal(opts.dir, kind));
      try {
        await drillOn(name, opts, chosen, kind, attached);
      } finally {
        if (started) process.stderr.write(`${stillRunning(opts.dir)}\n`);
      }
    });
}

/**
 * `drill list`: a row per scenario, what it does wrapped below it, so it reads in 100 columns
 * (the descriptions run to 150 characters).
 */
function scenarioList(): string {
  const rows = table(
    ['SCENARIO', 'FOR', 'FAILOVER EXPECTED', 'WHERE'],
    SCENARIOS.map((s) => [
      s.name,
      s.kind,
      s.expectFailover ? 'yes' : 'no',
      s.fault.needsLab === true ? 'lab' : s.fault.needsProcesses ? 'local' : 'local, remote',
    ]),
  ).split('\n');
  const lines = [rows[0] ?? ''];
  SCENARIOS.forEach((s, i) => {
    lines.push(rows[i + 1] ?? '');
    const words = s.description.split(' ');
    let line = '   ';
    for (const word of words) {
      if (line.length + word.length + 1 > 96) {
        lines.push(line);
        line = '   ';
      }
      line += ` ${word}`;
    }
    lines.push(line);
  });
  return `${lines.join('\n')}\n`;
}

/** Runs `chosen` on the deployment, prints and keeps the results; exit code 1 on a violation. */
async function drillOn(
  name: string,
  opts: DrillOptions,
  chosen: Scenario[],
  kind: ScenarioKind,
  attached: boolean,
): Promise<void> {
  const target = attached ? await attachedTarget(opts, chosen, kind) : await localTarget(opts);
  const needLab = chosen.filter((s) => s.fault.needsLab === true);
  if (target.network === null && needLab.length > 0) {
    if (name !== 'all') {
      await target.observer.stop();
      throw new UserError(
        `${name} cuts the network between processes, which needs a lab deployment: start one with 'quorum up${kind === 'cluster' ? ' --mode cluster' : ''} --network lab' (as root)`,
        2,
      );
    }
    // `all` on loopback runs what loopback can do
    chosen.splice(0, chosen.length, ...chosen.filter((s) => s.fault.needsLab !== true));
  }
  if (opts.via === 'proxy' && target.proxy === null) {
    await target.observer.stop();
    throw new UserError(
      "--via proxy needs quorum's proxy in front of the deployment; start it with 'quorum up' (without --no-proxy)",
      2,
    );
  }
  const abort = new AbortController();
  const onSignal = () => {
    process.stderr.write('interrupted: healing every fault before exiting...\n');
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let results: ScenarioResult[];
  try {
    await target.observer.start();
    results = await runDrills(
      target,
      {
        scenarios: chosen,
        runs: opts.runs,
        writers: opts.writers,
        rate: opts.rate,
        ...(opts.via ? { via: opts.via } : {}),
        ...(opts.ledger !== undefined ? { ledgerFile: opts.ledger } : {}),
      },
      {
        progress: (line) => process.stderr.write(`${line}\n`),
        onResult: (record) => {
          if (opts.json !== true) process.stdout.write(`${renderResult(record.result)}\n\n`);
          process.stderr.write(`kept as ${target.store.dir}/${record.id}.html\n`);
        },
        signal: abort.signal,
      },
    );
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await target.observer.stop();
  }
  if (abort.signal.aborted)
    throw new UserError('the drill was interrupted; every fault it injected was healed');
  if (opts.report !== undefined) {
    writeFileSync(
      opts.report,
      renderReport(results, { deployment: target.deployment, generatedAt: new Date() }),
    );
    process.stderr.write(`wrote the report to ${opts.report}\n`);
  }
  if (opts.json === true)
    process.stdout.write(JSON.stringify(name === 'all' ? results : results[0], null, 2) + '\n');
  const broken = results.reduce((n, r) => n + r.summary.violations, 0);
  process.exitCode = broken === 0 ? 0 : 1;
}

import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { labTopology, NetworkFaults } from '../faults/index.js';
import type { Command } from 'commander';
import { Option } from 'commander';
import { formatAddr, sentinelsOf, UserError } from '../model/index.js';
import { controlClient, expectationOf, readState, runningSupervisor } from '../local/index.js';
import { Observer } from '../observer/index.js';
import type { DrillTarget, Scenario, ScenarioKind, ScenarioResult, Via } from '../drill/index.js';
import {
  DEFAULT_WORKLOAD,
  DrillStore,
  kindRefusal,
  renderReport,
  runDrills,
  SCENARIOS,
  scenarioNamed,
  scenariosFor,
  VIAS,
} from '../drill/index.js';
import { renderResult } from './drill-render.js';
import { intOption } from './errors.js';
import { table } from './format.js';
import type { TargetOptions } from './target.js';
import { observeOnce, resolveTarget, targetOptions } from './target.js';

interface DrillOptions extends TargetOptions {
  report?: string;
  runs: number;
  writers: number;
  rate: number;
  via?: Via;
  yesReally?: boolean;
  json?: boolean;
}

/**
 * Starts a deployment in `dir` when none runs there (drills need one to break): the default
 * Sentinel one, or a cluster for cluster scenarios.
 */
async function ensureLocal(dirFlag: string, kind: ScenarioKind): Promise<void> {
  const dir = resolve(dirFlag);
  if (await runningSupervisor(readState(dir))) return;
  const mode = kind === 'cluster' ? ['--mode', 'cluster'] : [];
  const command = `quorum up ${[...mode, '--detach', '--dir', dirFlag].join(' ')}`;
  process.stderr.write(`no deployment runs in ${dirFlag}; starting one (${command})\n`);
  const script = process.argv[1] ?? '';
  const up = spawnSync(
    process.execPath,
    [script, 'up', ...mode, '--detach', '--no-dashboard', '--dir', dirFlag],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  if (up.status !== 0 || !(await runningSupervisor(readState(dir)))) {
    throw new UserError(
      `could not start a deployment in ${dirFlag}; start one with '${command}' and run the drill again`,
    );
  }
}

/** The deployment the drill is for and its kind: --cluster or --sentinel, else the one in --dir. */
function deploymentOf(
  opts: DrillOptions,
  named: Scenario | undefined,
): { kind: ScenarioKind; name: string } {
  if (opts.cluster !== undefined) return { kind: 'cluster', name: opts.cluster };
  if (opts.sentinel !== undefined) return { kind: 'sentinel', name: opts.sentinel };
  const state = readState(resolve(opts.dir));
  // nothing there yet: the drill starts a deployment of the kind the scenario is for
  if (!state) return { kind: named?.kind ?? 'sentinel', name: opts.dir };
  return { kind: state.spec.mode === 'cluster' ? 'cluster' : 'sentinel', name: state.spec.name };
}

/** The deployment in --dir, run by its supervisor. */
async function localTarget(opts: DrillOptions, kind: ScenarioKind): Promise<DrillTarget> {
  await ensureLocal(opts.dir, kind);
  const dir = resolve(opts.dir);
  const state = readState(dir);
  if (!state?.supervisor) throw new UserError(`no supervisor runs in ${opts.dir}`);
  const { spec } = state;
  const cluster = spec.mode === 'cluster';
  const lab = labTopology(spec);
  const addrs = (processKind: string) =>
    state.processes
      .filter((p) => p.kind === processKind)
      .map((p) => formatAddr(p.host ?? spec.host, p.port));
  const sentinels = addrs('sentinel');
  return {
    deployment: spec.name,
    observer: new Observer({
      name: spec.name,
      masterName: spec.name,
      sentinels,
      nodes: addrs('redis'),
      password: spec.password,
      sentinelPassword: spec.password,
      mode: spec.mode,
    }),
    controller: controlClient(state.supervisor.socket),
    expect: expectationOf(spec),
    sentinels,
    masterName: spec.name,
    password: spec.password,
    sentinelPassword: spec.password,
    downAfterMs: cluster ? spec.nodeTimeoutMs : spec.downAfterMs,
    store: new DrillStore(dir),
    proxy: cluster ? null : state.proxy,
    network: lab ? new NetworkFaults(dir, lab) : null,
  };
}

/** An attached deployment (--sentinel, --cluster): only with --yes-really, and only command faults. */
async function attachedTarget(
  opts: DrillOptions,
  chosen: Scenario[],
  kind: ScenarioKind,
): Promise<DrillTarget> {
  const flag = kind === 'cluster' ? '--cluster' : '--sentinel';
  const local = chosen.filter((s) => s.fault.needsProcesses).map((s) => s.name);
  if (local.length > 0) {
    throw new UserError(
      `${local.join(', ')} ${local.length > 1 ? 'act' : 'acts'} on processes, which quorum can do only for a deployment it launched; against ${flag}, run one of: ${remoteScenarios(kind).join(', ')}`,
      2,
    );
  }
  if (opts.yesReally !== true) {
    throw new UserError(
      `a drill breaks the deployment it runs against (it ${kind === 'cluster' ? 'moves slots' : 'fails the master over'} and writes test keys); to run it against ${opts.sentinel ?? opts.cluster ?? ''}, add --yes-really`,
      2,
    );
  }
  const resolved = await resolveTarget(opts);
  const { observer, topology } = await observeOnce(resolved, opts.timeout, kind === 'sentinel');
  const sentinels = sentinelsOf(topology);
  const downAfter = Math.max(0, ...sentinels.map((s) => s.downAfterMs ?? 0));
  const { target } = resolved;
  const masters =
    topology.kind === 'cluster' ? topology.cluster.shards.filter((s) => s.slotCount > 0) : [];
  return {
    deployment: target.name,
    observer,
    controller: null,
    expect:
      kind === 'cluster'
        ? {
            replicasPerMaster:
              masters.length > 0 ? Math.min(...masters.map((s) => s.replicas.length)) : 0,
          }
        : {
            replicas: Math.max(0, topology.nodes.length - 1),
            sentinels: sentinels.length,
          },
    sentinels: target.sentinels,
    masterName: target.masterName,
    password: target.password,
    sentinelPassword: target.sentinelPassword,
    downAfterMs: downAfter > 0 ? downAfter : 30_000,
    store: new DrillStore(resolve(opts.dir)),
    proxy: null,
    network: null,
  };
}

function remoteScenarios(kind: ScenarioKind): string[] {
  return scenariosFor(kind)
    .filter((s) => !s.fault.needsProcesses)
    .map((s) => s.name);
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
      '--report <file>',
      'also write an HTML report: charts, measurements and their expected bounds',
    )
    .action(async (name: string, opts: DrillOptions) => {
      if (name === 'list') {
        process.stdout.write(
          table(
            ['SCENARIO', 'FOR', 'FAILOVER EXPECTED', 'WHERE', 'WHAT IT DOES'],
            SCENARIOS.map((s) => [
              s.name,
              s.kind,
              s.expectFailover ? 'yes' : 'no',
              s.fault.needsLab === true
                ? 'lab'
                : s.fault.needsProcesses
                  ? 'local'
                  : 'local, remote',
              s.description,
            ]),
          ) + '\n',
        );
        return;
      }
      const named = scenarioNamed(name);
      if (name !== 'all' && !named)
        throw new UserError(
          `there is no scenario '${name}'; use one of: ${SCENARIOS.map((s) => s.name).join(', ')}, or all`,
          2,
        );
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
      const target = attached
        ? await attachedTarget(opts, chosen, kind)
        : await localTarget(opts, kind);
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
    });
}

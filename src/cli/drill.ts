import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { labTopology, NetworkFaults } from '../faults/index.js';
import type { Command } from 'commander';
import { Option } from 'commander';
import { formatAddr, formatSeconds, UserError } from '../model/index.js';
import { controlClient, expectationOf, readState, runningSupervisor } from '../local/index.js';
import { Observer } from '../observer/index.js';
import type { DrillTarget, Scenario, ScenarioResult, Via } from '../drill/index.js';
import {
  DEFAULT_WORKLOAD,
  DrillStore,
  nodeRole,
  renderReport,
  runDrills,
  SCENARIOS,
  scenarioNamed,
  VIAS,
} from '../drill/index.js';
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

function render(result: ScenarioResult): string {
  const rows = result.runs.map((r, i) => [
    String(i + 1),
    r.failover ? `${r.oldMaster ?? '?'} -> ${r.newMaster ?? '?'}` : 'no failover',
    formatSeconds(r.sdownMs),
    formatSeconds(r.odownMs),
    formatSeconds(r.switchMasterMs),
    formatSeconds(r.writeUnavailableMs),
    formatSeconds(r.readUnavailableMs),
    r.twoMastersMs > 0 ? formatSeconds(r.twoMastersMs) : '-',
    `${r.acknowledged}/${r.attempted}`,
    String(r.ackedLost),
    String(r.indeterminatePresent),
    r.violations.length === 0 ? 'as expected' : r.violations.join('; '),
  ]);
  const lines = [
    `${result.scenario}: ${result.description}`,
    table(
      [
        'RUN',
        'FAILOVER',
        '+SDOWN',
        '+ODOWN',
        '+SWITCH',
        'NO WRITES',
        'NO READS',
        'TWO MASTERS',
        'ACKED',
        'LOST',
        'INDET.PRESENT',
        'VERDICT',
      ],
      rows,
    ),
  ];
  if (!result.expectFailover && result.noFailoverBecause)
    lines.push(`no failover expected: ${result.noFailoverBecause}`);
  // in a partition: which side took the writes, and whose were lost
  for (const [i, r] of result.runs.entries()) {
    if (r.writersIn === null || r.byNode.length === 0) continue;
    const sides = r.byNode.map((n) => {
      const role = nodeRole(r, n.node);
      return `${n.node}${role ? ` (${role})` : ''} acked ${n.acked}, lost ${n.lost}`;
    });
    lines.push(`run ${i + 1}, writers in ${r.writersIn}: ${sides.join('; ')}`);
  }
  const s = result.summary.switchMasterMs;
  if (s)
    lines.push(
      `switch-master after the fault: min ${formatSeconds(s.min)}, p50 ${formatSeconds(s.p50)}, p95 ${formatSeconds(s.p95)}, max ${formatSeconds(s.max)}`,
    );
  return lines.join('\n');
}

/** Starts the default deployment in `dir` when none runs there (drills need one to break). */
async function ensureLocal(dirFlag: string): Promise<void> {
  const dir = resolve(dirFlag);
  if (await runningSupervisor(readState(dir))) return;
  process.stderr.write(
    `no deployment runs in ${dirFlag}; starting one (quorum up --detach --dir ${dirFlag})\n`,
  );
  const script = process.argv[1] ?? '';
  const up = spawnSync(
    process.execPath,
    [script, 'up', '--detach', '--no-dashboard', '--dir', dirFlag],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  if (up.status !== 0 || !(await runningSupervisor(readState(dir)))) {
    throw new UserError(
      `could not start a deployment in ${dirFlag}; start one with 'quorum up --detach --dir ${dirFlag}' and run the drill again`,
    );
  }
}

/** The deployment in --dir, run by its supervisor. */
async function localTarget(opts: DrillOptions): Promise<DrillTarget> {
  await ensureLocal(opts.dir);
  const dir = resolve(opts.dir);
  const state = readState(dir);
  if (!state?.supervisor) throw new UserError(`no supervisor runs in ${opts.dir}`);
  const { spec } = state;
  const lab = labTopology(spec);
  const addrs = (kind: string) =>
    state.processes
      .filter((p) => p.kind === kind)
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
    }),
    controller: controlClient(state.supervisor.socket),
    expect: expectationOf(spec),
    sentinels,
    masterName: spec.name,
    password: spec.password,
    sentinelPassword: spec.password,
    downAfterMs: spec.downAfterMs,
    store: new DrillStore(dir),
    proxy: state.proxy,
    network: lab ? new NetworkFaults(dir, lab) : null,
  };
}

/** An attached deployment (--sentinel): only with --yes-really, and only command faults. */
async function attachedTarget(opts: DrillOptions, chosen: Scenario[]): Promise<DrillTarget> {
  const local = chosen.filter((s) => s.fault.needsProcesses).map((s) => s.name);
  if (local.length > 0) {
    throw new UserError(
      `${local.join(', ')} ${local.length > 1 ? 'act' : 'acts'} on processes, which quorum can do only for a deployment it launched; against --sentinel, run one of: ${remoteScenarios().join(', ')}`,
      2,
    );
  }
  if (opts.yesReally !== true) {
    throw new UserError(
      `a drill breaks the deployment it runs against (it fails the master over and writes test keys); to run it against ${opts.sentinel ?? ''}, add --yes-really`,
      2,
    );
  }
  const resolved = await resolveTarget(opts);
  const { observer, topology } = await observeOnce(resolved, opts.timeout, true);
  const downAfter = Math.max(0, ...topology.sentinels.map((s) => s.downAfterMs ?? 0));
  const { target } = resolved;
  return {
    deployment: target.name,
    observer,
    controller: null,
    expect: {
      replicas: Math.max(0, topology.nodes.length - 1),
      sentinels: topology.sentinels.length,
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

function remoteScenarios(): string[] {
  return SCENARIOS.filter((s) => !s.fault.needsProcesses).map((s) => s.name);
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
        `one of: ${SCENARIOS.map((s) => s.name).join(', ')}; or all; or list`,
      ),
  )
    .option('--runs <n>', 'runs per scenario', intOption(1, 100), 1)
    .option('--writers <n>', 'concurrent writers', intOption(1, 64), DEFAULT_WORKLOAD.writers)
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
    .option('--yes-really', 'with --sentinel: run against a deployment quorum did not launch')
    .option('--json', 'print { scenario, runs: [...], summary } (a list of those for all)')
    .option(
      '--report <file>',
      'also write an HTML report: charts, measurements and their expected bounds',
    )
    .action(async (name: string, opts: DrillOptions) => {
      if (name === 'list') {
        process.stdout.write(
          table(
            ['SCENARIO', 'FAILOVER EXPECTED', 'WHERE', 'WHAT IT DOES'],
            SCENARIOS.map((s) => [
              s.name,
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
      const chosen =
        name === 'all'
          ? opts.sentinel === undefined
            ? SCENARIOS
            : SCENARIOS.filter((s) => !s.fault.needsProcesses)
          : [scenarioNamed(name)].filter((s): s is Scenario => s !== undefined);
      if (chosen.length === 0)
        throw new UserError(
          `there is no scenario '${name}'; use one of: ${SCENARIOS.map((s) => s.name).join(', ')}, or all`,
          2,
        );
      const target =
        opts.sentinel === undefined ? await localTarget(opts) : await attachedTarget(opts, chosen);
      const needLab = chosen.filter((s) => s.fault.needsLab === true);
      if (target.network === null && needLab.length > 0) {
        if (name !== 'all') {
          await target.observer.stop();
          throw new UserError(
            `${name} cuts the network between processes, which needs a lab deployment: start one with 'quorum up --network lab' (as root)`,
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
              if (opts.json !== true) process.stdout.write(`${render(record.result)}\n\n`);
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

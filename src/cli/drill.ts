import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { formatAddr, formatSeconds, UserError } from '../model/index.js';
import { controlClient, readState, runningSupervisor } from '../local/index.js';
import { Observer } from '../observer/index.js';
import type { DrillRun, Scenario, ScenarioResult } from '../drill/index.js';
import {
  DEFAULT_WORKLOAD,
  renderReport,
  runScenario,
  SCENARIOS,
  scenarioNamed,
  summarize,
} from '../drill/index.js';
import { intOption } from './errors.js';
import { table } from './format.js';

interface DrillOptions {
  report?: string;
  dir: string;
  runs: number;
  writers: number;
  rate: number;
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
  const s = result.summary.switchMasterMs;
  if (s)
    lines.push(
      `switch-master after the fault: min ${formatSeconds(s.min)}, p50 ${formatSeconds(s.p50)}, p95 ${formatSeconds(s.p95)}, max ${formatSeconds(s.max)}`,
    );
  return lines.join('\n');
}

export function registerDrill(program: Command): void {
  program
    .command('drill')
    .description(
      'break the local deployment on purpose and measure failover, unavailability and lost writes',
    )
    .argument('<scenario>', `one of: ${SCENARIOS.map((s) => s.name).join(', ')}; or all; or list`)
    .option('--dir <dir>', 'data directory of the local deployment', '.quorum')
    .option('--runs <n>', 'runs per scenario', intOption(1, 100), 1)
    .option('--writers <n>', 'concurrent writers', intOption(1, 64), DEFAULT_WORKLOAD.writers)
    .option(
      '--rate <n>',
      'writes per second, all writers together',
      intOption(1, 100_000),
      DEFAULT_WORKLOAD.rate,
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
            ['SCENARIO', 'FAILOVER EXPECTED', 'WHAT IT DOES'],
            SCENARIOS.map((s) => [s.name, s.expectFailover ? 'yes' : 'no', s.description]),
          ) + '\n',
        );
        return;
      }
      const chosen =
        name === 'all'
          ? SCENARIOS
          : [scenarioNamed(name)].filter((s): s is Scenario => s !== undefined);
      if (chosen.length === 0)
        throw new UserError(
          `there is no scenario '${name}'; use one of: ${SCENARIOS.map((s) => s.name).join(', ')}, or all`,
          2,
        );
      const dir = resolve(opts.dir);
      let state = readState(dir);
      if (!(await runningSupervisor(state))) {
        // drills need a supervisor to break and heal processes: start the default one here
        process.stderr.write(
          `no deployment runs in ${opts.dir}; starting one (quorum up --detach --dir ${opts.dir})\n`,
        );
        const script = process.argv[1] ?? '';
        const up = spawnSync(
          process.execPath,
          [script, 'up', '--detach', '--no-dashboard', '--dir', opts.dir],
          { stdio: ['ignore', 'ignore', 'inherit'] },
        );
        state = readState(dir);
        if (up.status !== 0 || !(await runningSupervisor(state))) {
          throw new UserError(
            `could not start a deployment in ${opts.dir}; start one with 'quorum up --detach --dir ${opts.dir}' and run the drill again`,
          );
        }
      }
      if (!state?.supervisor) throw new UserError(`no supervisor runs in ${opts.dir}`);
      const { spec } = state;
      const addrs = (kind: string) =>
        state.processes.filter((p) => p.kind === kind).map((p) => formatAddr(spec.host, p.port));
      const sentinels = addrs('sentinel');
      const observer = new Observer({
        name: spec.name,
        masterName: spec.name,
        sentinels,
        nodes: addrs('redis'),
        password: spec.password,
        sentinelPassword: spec.password,
      });
      const controller = controlClient(state.supervisor.socket);
      const abort = new AbortController();
      const onSignal = () => {
        process.stderr.write('interrupted: healing every fault before exiting...\n');
        abort.abort();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      const results: ScenarioResult[] = [];
      try {
        await observer.start();
        for (const scenario of chosen) {
          const runs: DrillRun[] = [];
          for (let i = 1; i <= opts.runs && !abort.signal.aborted; i++) {
            process.stderr.write(
              `[${scenario.name} ${i}/${opts.runs}] running (${opts.writers} writers, ${opts.rate} writes/s)\n`,
            );
            const run = await runScenario({
              scenario,
              observer,
              controller,
              expect: { replicas: spec.replicas, sentinels: spec.sentinels },
              workload: {
                sentinels,
                masterName: spec.name,
                password: spec.password,
                sentinelPassword: spec.password,
                writers: opts.writers,
                rate: opts.rate,
                readers: 1,
                timeoutMs: 1000,
              },
              password: spec.password,
              downAfterMs: spec.downAfterMs,
              progress: (line) =>
                process.stderr.write(`[${scenario.name} ${i}/${opts.runs}] ${line}\n`),
              signal: abort.signal,
            });
            runs.push(run);
          }
          const result = summarize(scenario, runs, spec.downAfterMs);
          results.push(result);
          if (opts.json !== true) process.stdout.write(`${render(result)}\n\n`);
        }
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        await observer.stop();
      }
      if (abort.signal.aborted)
        throw new UserError('the drill was interrupted; every fault it injected was healed');
      if (opts.report !== undefined) {
        writeFileSync(
          opts.report,
          renderReport(results, { deployment: spec.name, generatedAt: new Date() }),
        );
        process.stderr.write(`wrote the report to ${opts.report}\n`);
      }
      if (opts.json === true)
        process.stdout.write(JSON.stringify(name === 'all' ? results : results[0], null, 2) + '\n');
      const broken = results.reduce((n, r) => n + r.summary.violations, 0);
      process.exitCode = broken === 0 ? 0 : 1;
    });
}

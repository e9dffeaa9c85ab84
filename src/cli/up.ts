import { spawn } from 'node:child_process';
import { mkdirSync, openSync, closeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { destination, pino } from 'pino';
import type { Topology } from '../model/index.js';
import { healthProblems, UserError } from '../model/index.js';
import type { LocalSpec, LocalState, Preset } from '../local/index.js';
import {
  defaultSpec,
  isPortFree,
  preflight,
  presets,
  readState,
  Supervisor,
  tailOf,
} from '../local/index.js';
import { EventLog } from '../observer/index.js';
import { checkTokens, DEFAULT_DASHBOARD_PORT } from '../server/index.js';
import { serveDashboard } from './dashboard.js';
import { intOption } from './errors.js';
import { formatEvent, formatTopology, topologyJson } from './format.js';
import { localProcesses, observeOnce, resolveTarget } from './target.js';

interface UpOptions {
  dir: string;
  name: string;
  replicas: number;
  sentinels: number;
  quorum?: number;
  downAfter: number;
  failoverTimeout: number;
  port: number;
  sentinelPort?: number;
  password?: string;
  autorestart?: boolean;
  preset: Preset;
  detach?: boolean;
  healthTimeout: number;
  json?: boolean;
  supervisor?: boolean;
  /** false with --no-dashboard */
  dashboard: boolean;
  dashboardHost: string;
  dashboardPort: number;
  token?: string;
  viewerToken?: string;
  readOnly?: boolean;
  dashboardPortIsDefault?: boolean;
}

/** Flags that shape the topology, with the spec field each sets. */
const SPEC_FLAGS: [keyof UpOptions, keyof LocalSpec, string][] = [
  ['name', 'name', '--name'],
  ['replicas', 'replicas', '--replicas'],
  ['sentinels', 'sentinels', '--sentinels'],
  ['quorum', 'quorum', '--quorum'],
  ['downAfter', 'downAfterMs', '--down-after'],
  ['failoverTimeout', 'failoverTimeoutMs', '--failover-timeout'],
  ['port', 'port', '--port'],
  ['sentinelPort', 'sentinelPort', '--sentinel-port'],
  ['password', 'password', '--password'],
  ['autorestart', 'autorestart', '--autorestart'],
  ['preset', 'preset', '--preset'],
];

function specFrom(opts: UpOptions): LocalSpec {
  return defaultSpec({
    name: opts.name,
    replicas: opts.replicas,
    sentinels: opts.sentinels,
    ...(opts.quorum !== undefined ? { quorum: opts.quorum } : {}),
    downAfterMs: opts.downAfter,
    failoverTimeoutMs: opts.failoverTimeout,
    port: opts.port,
    ...(opts.sentinelPort !== undefined ? { sentinelPort: opts.sentinelPort } : {}),
    password: opts.password ?? process.env.QUORUM_PASSWORD ?? null,
    autorestart: opts.autorestart === true,
    preset: opts.preset,
  });
}

/**
 * The spec to start: a dir that holds a stopped deployment is started again as it was (its
 * configs carry the roles Sentinel rewrote); flags that contradict it are refused.
 */
function chooseSpec(
  cmd: Command,
  opts: UpOptions,
  dir: string,
  state: LocalState | null,
): LocalSpec {
  const wanted = specFrom(opts);
  if (!state) return wanted;
  for (const [option, field, flag] of SPEC_FLAGS) {
    if (cmd.getOptionValueSource(option) !== 'cli') continue;
    if (state.spec[field] !== wanted[field]) {
      const stored = field === 'password' ? '(another password)' : String(state.spec[field]);
      throw new UserError(
        `${dir} holds the deployment '${state.spec.name}' made with ${flag} ${stored}; start it as it is (without ${flag}), use another --dir, or delete it with 'quorum down --dir ${dir} --purge'`,
        2,
      );
    }
  }
  return state.spec;
}

function connectHelp(spec: LocalSpec, dir: string, topology: Topology): string {
  const master = topology.agreement.master ?? `${spec.host}:${spec.port}`;
  const [host, port] = [
    master.slice(0, master.lastIndexOf(':')),
    master.slice(master.lastIndexOf(':') + 1),
  ];
  const auth = spec.password !== null ? ' --askpass' : '';
  return [
    `connect:  redis-cli -h ${host} -p ${port}${auth}    (the master, for writes)`,
    `          redis-cli -h ${spec.host} -p ${spec.sentinelPort}${auth} sentinel get-master-addr-by-name ${spec.name}`,
    `watch:    quorum status --dir ${dir} --watch      events: quorum events --dir ${dir}`,
    `stop:     quorum down --dir ${dir}`,
  ].join('\n');
}

async function printHealthy(
  spec: LocalSpec,
  dir: string,
  displayDir: string,
  elapsedMs: number,
  json: boolean,
): Promise<void> {
  const resolved = await resolveTarget({ dir, timeout: 2000 });
  const { observer, topology } = await observeOnce(resolved, 2000);
  await observer.stop();
  const processes = await localProcesses(resolved.local);
  const problems = healthProblems(topology, { replicas: spec.replicas, sentinels: spec.sentinels });
  const dashboard = readState(dir)?.dashboard ?? null;
  const dashboardUrl = dashboard
    ? `${dashboard.url}?token=${encodeURIComponent(dashboard.token)}`
    : null;
  if (json) {
    process.stdout.write(
      JSON.stringify(
        {
          deployments: [topologyJson(topology, problems, processes)],
          elapsedMs,
          dashboard: dashboardUrl,
        },
        null,
        2,
      ) + '\n',
    );
    return;
  }
  process.stdout.write(
    `\ndeployment '${spec.name}' is healthy after ${(elapsedMs / 1000).toFixed(1)} s\n\n`,
  );
  process.stdout.write(
    formatTopology(topology, problems, processes) +
      '\n\n' +
      connectHelp(spec, displayDir, topology) +
      '\n',
  );
  if (dashboardUrl) process.stdout.write(`dashboard: ${dashboardUrl}\n`);
}

async function runForeground(
  spec: LocalSpec,
  dir: string,
  opts: UpOptions,
  displayDir: string,
  binaries: Awaited<ReturnType<typeof preflight>>,
): Promise<void> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const log = pino(
    { base: null },
    destination({ dest: join(dir, 'supervisor.log'), sync: true, append: true }),
  );
  const quiet = opts.supervisor === true || opts.json === true;
  const progress = (line: string) => {
    log.info(line);
    if (!quiet) process.stderr.write(`${line}\n`);
  };
  const supervisor = new Supervisor({
    dir,
    spec,
    ...binaries,
    log,
    progress,
    healthTimeoutMs: opts.healthTimeout * 1000,
  });
  // set from signal handlers, so kept in an object the type checker does not narrow
  const run: { stopping: Promise<void> | null; cleanup: () => Promise<void> } = {
    stopping: null,
    cleanup: () => Promise.resolve(),
  };
  const stop = () => {
    if (run.stopping) return;
    progress('stopping every process (sentinels first)...');
    run.stopping = run.cleanup().then(() => supervisor.shutdown());
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, stop);
  const started = Date.now();
  progress(
    `starting '${spec.name}': 1 master, ${spec.replicas} replicas, ${spec.sentinels} sentinels (quorum ${spec.quorum}) in ${displayDir}`,
  );
  try {
    await supervisor.launch();
  } catch (err) {
    if (run.stopping) {
      await run.stopping;
      throw new UserError(
        'interrupted before the deployment became healthy; every process was stopped',
      );
    }
    throw err;
  }
  if (opts.dashboard) {
    const source = {
      name: spec.name,
      observer: supervisor.observer,
      controller: supervisor.controller(),
      eventLog: new EventLog(join(dir, 'events.jsonl')),
      expect: { replicas: spec.replicas, sentinels: spec.sentinels },
    };
    try {
      const { hub, dashboard } = await serveDashboard([source], opts);
      supervisor.setDashboard({ url: dashboard.url, token: dashboard.token });
      run.cleanup = async () => {
        hub.close();
        await dashboard.close();
      };
    } catch (err) {
      stop();
      await run.stopping;
      throw err;
    }
  }
  if (opts.supervisor !== true) {
    await printHealthy(spec, dir, displayDir, Date.now() - started, opts.json === true);
    if (opts.json !== true) {
      process.stdout.write('\nsupervising; events follow (Ctrl-C stops everything)\n');
      supervisor.observer.bus.on('event', (event) =>
        process.stdout.write(formatEvent(event) + '\n'),
      );
    }
  }
  await new Promise<void>((resolveWait) => {
    const check = setInterval(() => {
      if (run.stopping) {
        clearInterval(check);
        void run.stopping.then(() => resolveWait());
      }
    }, 100);
  });
  progress(`stopped '${spec.name}'`);
}

/** Flags whose values are secrets: the background supervisor gets them in its environment. */
const SECRET_FLAGS: Record<string, string> = {
  '--password': 'QUORUM_PASSWORD',
  '--token': 'QUORUM_TOKEN',
  '--viewer-token': 'QUORUM_VIEWER_TOKEN',
};

/**
 * The arguments for the background supervisor, with secrets moved into environment variables:
 * a process's arguments are visible to every user of the machine (ps), its environment is not.
 */
export function childArgs(argv: string[]): { args: string[]; env: Record<string, string> } {
  const args: string[] = [];
  const env: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [flag, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg, undefined];
    const variable = SECRET_FLAGS[flag];
    if (variable === undefined) {
      args.push(arg);
      continue;
    }
    const value = inline ?? argv[++i];
    if (value !== undefined) env[variable] = value;
  }
  return { args, env };
}

async function runDetached(
  spec: LocalSpec,
  dir: string,
  opts: UpOptions,
  displayDir: string,
): Promise<void> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const outPath = join(dir, 'supervisor.out');
  const out = openSync(outPath, 'a');
  const script = process.argv[1];
  if (!script) throw new Error('cannot tell how quorum was started');
  const { args, env } = childArgs(process.argv.slice(2).filter((a) => a !== '--detach'));
  const child = spawn(process.execPath, [script, ...args, '--supervisor'], {
    detached: true,
    stdio: ['ignore', out, out],
    env: { ...process.env, ...env },
  });
  closeSync(out);
  child.unref();
  const watch: { exited: string | null } = { exited: null };
  child.once('exit', (code, signal) => {
    watch.exited = signal ?? String(code);
  });
  const started = Date.now();
  const deadline = started + opts.healthTimeout * 1000 + 30_000;
  if (opts.json !== true)
    process.stderr.write(
      `starting '${spec.name}' in the background (supervisor pid ${child.pid ?? '?'}); waiting until healthy...\n`,
    );
  for (;;) {
    await new Promise((r) => setTimeout(r, 200));
    const state = readState(dir);
    const ours = state?.writer === child.pid;
    if (state && ours && state.status === 'healthy' && (!opts.dashboard || state.dashboard)) break;
    if (state && ours && state.status === 'failed') {
      throw new UserError(
        state.error ?? `the supervisor failed to start the deployment; see ${outPath}`,
      );
    }
    if (watch.exited !== null) {
      const again = readState(dir);
      throw new UserError(
        again?.error ??
          `the supervisor exited (${watch.exited}) before the deployment became healthy: ${tailOf(outPath, 1).replace(/^quorum: /, '') || 'no output'}`,
      );
    }
    if (Date.now() > deadline) {
      child.kill('SIGTERM');
      throw new UserError(
        `the deployment did not become healthy in time; the supervisor was stopped; see ${outPath}`,
      );
    }
  }
  await printHealthy(spec, dir, displayDir, Date.now() - started, opts.json === true);
}

/** An explicit --dashboard-port must be free before anything starts; the default may be taken. */
async function checkDashboardPort(opts: UpOptions): Promise<void> {
  if (opts.dashboardPortIsDefault === true || opts.dashboardPort === 0) return;
  if (await isPortFree(opts.dashboardHost, opts.dashboardPort)) return;
  throw new UserError(
    `the dashboard port ${opts.dashboardPort} is already in use on ${opts.dashboardHost}; pick another with --dashboard-port (0 picks a free one)`,
  );
}

export function registerUp(program: Command): void {
  program
    .command('up')
    .description('launch a local Sentinel deployment from the real Redis binaries and supervise it')
    .option('--dir <dir>', 'data directory (configs, data, logs, state)', '.quorum')
    .option('--name <name>', 'master name the sentinels monitor', 'mymaster')
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
      'sentinel failover-timeout',
      intOption(1000, 86_400_000),
      60000,
    )
    .option(
      '--port <port>',
      'first data port (data nodes take consecutive ports)',
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
    .option('--autorestart', 'restart a process that exits without being asked to')
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
    .addOption(
      new Option('--supervisor', 'run as the background supervisor (used by --detach)').hideHelp(),
    )
    .action(async (opts: UpOptions, cmd: Command) => {
      const dir = resolve(opts.dir);
      const spec = chooseSpec(cmd, opts, opts.dir, readState(dir));
      if (opts.dashboard) {
        checkTokens({
          host: opts.dashboardHost,
          token: opts.token ?? process.env.QUORUM_TOKEN ?? null,
          viewerToken: opts.viewerToken ?? process.env.QUORUM_VIEWER_TOKEN ?? null,
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

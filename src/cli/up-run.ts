import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { destination, pino } from 'pino';
import type { Topology } from '../model/index.js';
import { agreedMaster, formatAddr, healthProblems, UserError } from '../model/index.js';
import type { LocalSpec, Mode, Network, Preset } from '../local/index.js';
import {
  bridgeName,
  expectationOf,
  netnsName,
  planProcesses,
  preflight,
  readState,
  Supervisor,
  tailOf,
} from '../local/index.js';
import { openLocal } from '../deployment/index.js';
import { isFinished } from '../drill/index.js';
import type { ProxyStats } from '../proxy/index.js';
import type { AlertConfig } from '../alerts/index.js';
import { MasterTracker, PROXY_DEFAULTS, ProxyServer } from '../proxy/index.js';
import { serveDashboard } from './dashboard.js';
import { formatEvent, formatTopology, topologyJson } from './format.js';
import { localProcesses, observeOnce, resolveTarget } from './target.js';

/** How `quorum up` runs once its spec is settled: in the foreground, or as a background supervisor. */

export interface UpOptions {
  dir: string;
  mode: Mode;
  masters: number;
  replicasPerMaster: number;
  nodeTimeout: number;
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
  network: Network;
  detach?: boolean;
  healthTimeout: number;
  json?: boolean;
  supervisor?: boolean;
  /** false with --no-dashboard */
  dashboard: boolean;
  /** false with --no-proxy */
  proxy: boolean;
  proxyPort?: number;
  dashboardHost: string;
  dashboardPort: number;
  token?: string;
  viewerToken?: string;
  readOnly?: boolean;
  dashboardPortIsDefault?: boolean;
  config?: string;
  metricsToken?: string;
  metricsPublic?: boolean;
  alerts?: AlertConfig;
}

function connectHelp(
  spec: LocalSpec,
  dir: string,
  topology: Topology,
  proxy: { write: string; read: string } | null,
): string {
  if (spec.mode === 'cluster') {
    const first = planProcesses(spec)[0];
    const auth = spec.password !== null ? ' --askpass' : '';
    return [
      `connect:  redis-cli -c -h ${first?.host ?? spec.host} -p ${spec.port}${auth}    (-c follows MOVED/ASK to the right shard)`,
      `cluster:  quorum cluster check --dir ${dir}      quorum cluster reshard --dir ${dir} --from redis-1 --to redis-2 --slots 100`,
      `watch:    quorum status --dir ${dir} --watch      events: quorum events --dir ${dir}`,
      `stop:     quorum down --dir ${dir}`,
    ].join('\n');
  }
  const master = agreedMaster(topology) ?? `${spec.host}:${spec.port}`;
  const [host, port] = [
    master.slice(0, master.lastIndexOf(':')),
    master.slice(master.lastIndexOf(':') + 1),
  ];
  const auth = spec.password !== null ? ' --askpass' : '';
  const sentinelHost = planProcesses(spec).find((p) => p.kind === 'sentinel')?.host ?? spec.host;
  const via = (addr: string) => {
    const at = addr.lastIndexOf(':');
    return `redis-cli -h ${addr.slice(0, at)} -p ${addr.slice(at + 1)}${auth}`;
  };
  return [
    ...(proxy
      ? [
          `connect:  ${via(proxy.write)}    (the proxy: always the master, across failovers)`,
          `          ${via(proxy.read)}    (the proxy: a healthy replica, for reads)`,
          `          redis-cli -h ${host} -p ${port}${auth}    (the master itself, until a failover)`,
        ]
      : [`connect:  redis-cli -h ${host} -p ${port}${auth}    (the master, for writes)`]),
    `          redis-cli -h ${sentinelHost} -p ${spec.sentinelPort}${auth} sentinel get-master-addr-by-name ${spec.name}`,
    ...(spec.lab
      ? [
          `network:  lab ${spec.lab.subnet} on bridge ${bridgeName(spec.lab)}, a namespace per process`,
          `          your client on a side: ip netns exec ${netnsName(spec.lab, 'client-1')} redis-cli ...`,
          `          cut links: quorum fault partition --dir ${dir} 'redis-1,client-1 | redis-2,redis-3'`,
        ]
      : []),
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
  const problems = healthProblems(topology, expectationOf(spec));
  const state = readState(dir);
  const dashboard = state?.dashboard ?? null;
  const proxy = state?.proxy ?? null;
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
          proxy,
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
      connectHelp(spec, displayDir, topology, proxy) +
      '\n',
  );
  if (proxy) process.stdout.write(`proxy: write ${proxy.write} read ${proxy.read}\n`);
  if (dashboardUrl) process.stdout.write(`dashboard: ${dashboardUrl}\n`);
}

/**
 * Starts the proxy next to the supervisor, on its observer; returns how to stop it. Its switches
 * go to the log and the person watching.
 */
async function startProxy(
  supervisor: Supervisor,
  spec: LocalSpec,
  writePort: number,
  progress: (line: string) => void,
): Promise<{ stop: () => Promise<void>; stats: () => ProxyStats }> {
  const tracker = new MasterTracker(supervisor.observer, spec.password);
  await tracker.start();
  const proxy = new ProxyServer(tracker, {
    host: spec.host,
    writePort,
    readPort: writePort + 1,
    ...PROXY_DEFAULTS,
    holdMs: spec.downAfterMs + 10_000,
  });
  proxy.on('log', (line) => progress(`proxy: ${line}`));
  try {
    await proxy.listen();
  } catch (err) {
    tracker.stop();
    throw err;
  }
  supervisor.setProxy({
    endpoints: {
      write: formatAddr(spec.host, writePort),
      read: formatAddr(spec.host, writePort + 1),
    },
    stats: () => proxy.stats(),
  });
  return {
    stats: () => proxy.stats(),
    stop: async () => {
      supervisor.setProxy(null);
      await proxy.close();
      tracker.stop();
    },
  };
}

export async function runForeground(
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
    // the processes stop even when the clean-up (the dashboard, a drill's heal) fails
    run.stopping = run
      .cleanup()
      .catch((err: unknown) =>
        progress(`clean-up failed: ${err instanceof Error ? err.message : String(err)}`),
      )
      .then(() => supervisor.shutdown());
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
  let proxyStats: (() => ProxyStats) | null = null;
  if (spec.proxyPort !== null) {
    try {
      const proxy = await startProxy(supervisor, spec, spec.proxyPort, progress);
      proxyStats = proxy.stats;
      const previous = run.cleanup;
      run.cleanup = async () => {
        await previous();
        await proxy.stop();
      };
    } catch (err) {
      stop();
      await run.stopping;
      throw err;
    }
  }
  if (opts.dashboard) {
    const stats = proxyStats;
    const deployment = openLocal(
      dir,
      { timeoutMs: 1000 },
      {
        observer: supervisor.observer,
        controller: supervisor.controller(),
        proxyStats: stats ? () => Promise.resolve(stats()) : null,
      },
    );
    try {
      const { hub, dashboard } = await serveDashboard([deployment], opts);
      supervisor.setDashboard({ url: dashboard.url, token: dashboard.token });
      const previous = run.cleanup;
      run.cleanup = async () => {
        const drills = hub.drills.all().filter((d) => !isFinished(d));
        if (drills.length > 0)
          progress(`a drill runs (${drills.map((d) => d.scenario).join(', ')}): healing it first`);
        await hub.close();
        await dashboard.close();
        await previous();
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
  '--metrics-token': 'QUORUM_METRICS_TOKEN',
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

export async function runDetached(
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

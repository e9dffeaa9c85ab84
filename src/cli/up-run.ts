import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { destination, pino } from 'pino';
import { formatAddr, UserError } from '../model/index.js';
import type { LocalSpec, Mode, Network, Preset, SentinelSpec, TlsSpec } from '../local/index.js';
import { describeSpec, preflight, Supervisor } from '../local/index.js';
import { openLocal } from '../deployment/index.js';
import { isFinished } from '../drill/index.js';
import type { ProxyStats } from '../proxy/index.js';
import type { AlertConfig } from '../alerts/index.js';
import { MasterTracker, PROXY_DEFAULTS, ProxyServer } from '../proxy/index.js';
import { serveDashboard } from './dashboard.js';
import { formatEvent } from './format.js';
import { printHealthy } from './up-print.js';

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
  tls?: boolean;
  acl?: boolean;
  tlsAuthClients: TlsSpec['authClients'];
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
  tlsCert?: string;
  tlsKey?: string;
  insecureHttp?: boolean;
}

/**
 * Starts the proxy next to the supervisor, on its observer; returns how to stop it. Its switches
 * go to the log and the person watching.
 */
async function startProxy(
  supervisor: Supervisor,
  spec: SentinelSpec,
  writePort: number,
  progress: (line: string) => void,
): Promise<{ stop: () => Promise<void>; stats: () => ProxyStats }> {
  const tracker = new MasterTracker(supervisor.observer, supervisor.access.node);
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
  // resolved once a stop (a signal, or `down` through the control socket) has stopped everything
  let stopped: () => void = () => undefined;
  const everythingStopped = new Promise<void>((resolveStopped) => {
    stopped = resolveStopped;
  });
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
    void run.stopping.then(stopped);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, stop);
  const started = Date.now();
  progress(`starting '${spec.name}': ${describeSpec(spec)} in ${displayDir}`);
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
  if (spec.mode === 'sentinel' && spec.proxyPort !== null) {
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
    await printHealthy(
      spec,
      dir,
      displayDir,
      Date.now() - started,
      opts.json === true,
      opts.dashboardPortIsDefault === true,
    );
    if (opts.json !== true) {
      process.stdout.write('\nsupervising; events follow (Ctrl-C stops everything)\n');
      supervisor.observer.bus.on('event', (event) =>
        process.stdout.write(formatEvent(event) + '\n'),
      );
    }
  }
  await everythingStopped;
  progress(`stopped '${spec.name}'`);
}

import type { DrillListing, DrillRecord, DrillStore, DrillTarget } from '../drill/index.js';
import {
  drillRecorder,
  kindRefusal,
  listingOf,
  runDrills,
  scenarioNamed,
  scenariosFor,
  writeSeries,
} from '../drill/index.js';
import { downAfterOf, healthProblems } from '../model/index.js';
import { ActionError } from './actions.js';
import type { DrillLive, DrillRequest, DrillsState, PushMessage } from './contract.js';
import { isFinished } from './contract.js';
import type { DeploymentSource } from './hub.js';

/** Progress lines kept for the live panel. */
const LINES_KEPT = 30;

interface Running {
  live: DrillLive;
  abort: AbortController;
  done: Promise<void>;
}

/**
 * Drills started from the dashboard: at most one per deployment, run in this process against a
 * deployment whose supervisor quorum runs, with the live chart pushed to every browser. The last
 * drill's state stays after it ends, so everyone sees how it ended.
 */
export class DrillDesk {
  private readonly running = new Map<string, Running>();
  private readonly latest = new Map<string, DrillLive>();

  constructor(
    private readonly push: (message: PushMessage) => void,
    /** Says why not when something else changes the deployment (a cluster job). */
    private readonly otherWork: (deployment: string) => string | null = () => null,
  ) {}

  private storeOf(source: DeploymentSource): DrillStore | null {
    return source.controller && source.drills ? source.drills : null;
  }

  /** The latest drill of every deployment, for the stream's snapshot. */
  all(): DrillLive[] {
    return [...this.latest.values()];
  }

  /** Says why not when a drill runs on this deployment (here or from the command line). */
  busy(source: DeploymentSource): string | null {
    if (this.running.has(source.name)) return `a drill runs on '${source.name}'; stop it first`;
    const holder = source.drills?.running();
    return holder ? `a drill (${holder.what}) runs in process ${String(holder.pid)}` : null;
  }

  /** Whether a drill runs, and the latest one kept: what metrics show, without reading every file. */
  brief(source: DeploymentSource): { running: boolean; last: DrillListing | null } | null {
    if (!source.drills) return null;
    const last = source.drills.listCached().find((l) => l.deployment === source.name) ?? null;
    return { running: this.busy(source) !== null, last };
  }

  async state(source: DeploymentSource): Promise<DrillsState> {
    const store = this.storeOf(source);
    const cluster = source.observer.target.mode === 'cluster';
    const latest = this.latest.get(source.name) ?? null;
    return {
      available: store !== null,
      why:
        store === null
          ? `drills from the dashboard run only on a deployment quorum launched; against '${source.name}' run them with: ${cluster ? 'quorum drill cluster-reshard --cluster ... --yes-really' : 'quorum drill <scenario> --sentinel ... --yes-really'}`
          : null,
      scenarios: scenariosFor(cluster ? 'cluster' : 'sentinel').map((s) => ({
        name: s.name,
        description: s.description,
        expectFailover: s.expectFailover,
        needsProcesses: s.fault.needsProcesses,
        needsLab: s.fault.needsLab === true,
      })),
      running: latest && !isFinished(latest) ? latest : null,
      // a cluster's writers follow MOVED/ASK themselves: there is no way to choose
      vias: cluster
        ? []
        : (await this.proxyOf(source))
          ? ['sentinel', 'role-check', 'proxy']
          : ['sentinel', 'role-check'],
      last: latest,
      past: store?.list().filter((l) => l.deployment === source.name) ?? [],
    };
  }

  /** Where quorum's proxy in front of this deployment listens, if it runs one. */
  private async proxyOf(source: DeploymentSource): Promise<{ write: string; read: string } | null> {
    const stats = await source.proxy();
    return stats ? { write: stats.write.addr, read: stats.read.addr } : null;
  }

  record(source: DeploymentSource, id: string): DrillRecord | null {
    const record = source.drills?.read(id) ?? null;
    return record?.deployment === source.name ? record : null;
  }

  report(source: DeploymentSource, id: string): string | null {
    return this.record(source, id) ? (source.drills?.report(id) ?? null) : null;
  }

  /** Starts a drill in the background and returns its live state, or throws saying why not. */
  async start(source: DeploymentSource, request: DrillRequest, actor: string): Promise<DrillLive> {
    const store = this.storeOf(source);
    if (!store)
      throw new ActionError((await this.state(source)).why ?? 'drills are not available', 409);
    const proxy = await this.proxyOf(source);
    if (request.via === 'proxy' && !proxy)
      throw new ActionError(
        `'${source.name}' runs behind no proxy of quorum's to write through`,
        409,
      );
    const kind = source.observer.target.mode === 'cluster' ? 'cluster' : 'sentinel';
    const scenario = scenarioNamed(request.scenario);
    if (!scenario) {
      throw new ActionError(
        `there is no scenario '${request.scenario}'; use one of: ${scenariosFor(kind)
          .map((s) => s.name)
          .join(', ')}`,
        400,
      );
    }
    const refusal = kindRefusal(scenario, kind, source.name);
    if (refusal) throw new ActionError(refusal, 400);
    if (kind === 'cluster' && request.via)
      throw new ActionError(
        `a cluster's writers follow MOVED and ASK through ioredis's Cluster client; drop 'via'`,
        400,
      );
    if (scenario.fault.needsLab === true && !source.network)
      throw new ActionError(
        `${scenario.name} cuts the network between processes, which needs a lab deployment: start one with 'quorum up --network lab'`,
        409,
      );
    const busy = this.busy(source) ?? this.otherWork(source.name);
    if (busy) throw new ActionError(`${busy}; the drill would measure it instead`, 409);
    const topology = source.observer.current();
    const problems = topology ? healthProblems(topology, source.expect) : ['not observed yet'];
    if (problems.length > 0) {
      throw new ActionError(
        `'${source.name}' is not healthy, so a drill would measure the wrong thing: ${problems.join('; ')}`,
        409,
      );
    }
    const { target } = source.observer;
    const drillTarget: DrillTarget = {
      deployment: source.name,
      observer: source.observer,
      controller: source.controller,
      expect: source.expect,
      sentinels: target.sentinels,
      masterName: target.masterName,
      password: target.password,
      sentinelPassword: target.sentinelPassword,
      downAfterMs: topology?.kind === 'sentinel' ? downAfterOf(topology) : 30_000,
      store,
      proxy,
      network: source.network,
    };
    const now = Date.now();
    const live: DrillLive = {
      deployment: source.name,
      scenario: scenario.name,
      run: 1,
      runs: request.runs,
      phase: 'starting',
      startedAtMs: now,
      faultAtMs: null,
      series: writeSeries([], now, now, now),
      events: [],
      lines: [],
    };
    this.latest.set(source.name, live);
    const publish = (finished: DrillRecord | null = null) =>
      this.push({
        type: 'drill',
        deployment: source.name,
        live,
        finished: finished ? listingOf(finished) : null,
      });
    const say = (line: string) => {
      live.lines = [...live.lines, line].slice(-LINES_KEPT);
      publish();
    };
    /** The one place the phase changes: a stop, once asked for, is not undone by a tick. */
    const setPhase = (next: DrillLive['phase']) => {
      if (isFinished(live) || (live.phase === 'stopping' && !isFinished({ phase: next }))) return;
      live.phase = next;
    };
    const record = drillRecorder(drillTarget);
    void record('quorum:action', `drill ${scenario.name} started (${String(request.runs)} runs)`, {
      action: 'drill-start',
      scenario: scenario.name,
      by: actor,
    }).catch(() => undefined);
    const abort = new AbortController();
    const done = runDrills(
      drillTarget,
      {
        scenarios: [scenario],
        runs: request.runs,
        writers: 4,
        rate: 1000,
        ...(request.via ? { via: request.via } : {}),
      },
      {
        progress: say,
        onLive: (_name, run, { phase, ...snapshot }) => {
          Object.assign(live, { run, ...snapshot });
          setPhase(phase);
          publish();
        },
        onResult: (stored) => publish(stored),
        signal: abort.signal,
      },
    ).then(
      (results) => {
        const broken = results.reduce((n, r) => n + r.summary.violations, 0);
        setPhase('done');
        say(
          `done: ${broken === 0 ? 'everything behaved as Redis should' : `${String(broken)} unexpected results`}`,
        );
      },
      (err: unknown) => {
        setPhase(abort.signal.aborted ? 'stopped' : 'failed');
        say(err instanceof Error ? err.message : String(err));
      },
    );
    this.running.set(source.name, { live, abort, done });
    void done.finally(() => this.running.delete(source.name));
    publish();
    return live;
  }

  /** Stops the drill on this deployment after healing; false when none runs. */
  stop(source: DeploymentSource, actor: string): boolean {
    const entry = this.running.get(source.name);
    if (!entry) return false;
    entry.live.phase = 'stopping';
    entry.abort.abort();
    source.observer.record('quorum:action', `drill ${entry.live.scenario} stopped`, {
      action: 'drill-stop',
      scenario: entry.live.scenario,
      by: actor,
    });
    this.push({ type: 'drill', deployment: source.name, live: entry.live, finished: null });
    return true;
  }

  /** Stops every drill and waits until each healed what it broke. */
  async close(): Promise<void> {
    for (const entry of this.running.values()) entry.abort.abort();
    await Promise.all([...this.running.values()].map((r) => r.done));
  }
}

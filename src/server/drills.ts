import type { DrillListing, DrillRecord, DrillStore } from '../drill/index.js';
import {
  drillRecorder,
  kindRefusal,
  runDrills,
  scenarioNamed,
  scenariosFor,
} from '../drill/index.js';
import { healthProblems } from '../model/index.js';
import { countsVerdict } from '../model/deviation.js';
import type { Deployment, Job } from '../deployment/index.js';
import { ActionError, serveNow } from './actions.js';
import type { DrillLive, DrillRequest, DrillsState, PushMessage } from './contract.js';
import { isFinished } from './contract.js';
import { LiveDrill } from './drill-live.js';

/**
 * Drills started from the dashboard: each a `drill` job on the deployment's desk (so one at a
 * time, and none while a cluster job changes the deployment), run in this process against a
 * deployment whose supervisor quorum runs, with the live chart pushed to every browser. The last
 * drill's state stays after it ends, so everyone sees how it ended.
 */
export class DrillDesk {
  private readonly latest = new Map<string, LiveDrill>();
  private readonly running = new Set<Job>();

  constructor(private readonly push: (message: PushMessage) => void) {}

  private storeOf(source: Deployment): DrillStore | null {
    return source.controller && source.drills ? source.drills : null;
  }

  /** The latest drill of every deployment, for the stream's snapshot. */
  all(): DrillLive[] {
    return [...this.latest.values()].map((drill) => drill.live);
  }

  /** Says why not when a drill runs on this deployment (here or from the command line). */
  busy(source: Deployment): string | null {
    if (source.jobs.current('drill')) return `a drill runs on '${source.name}'; stop it first`;
    const holder = source.drills?.running();
    return holder ? `a drill (${holder.what}) runs in process ${String(holder.pid)}` : null;
  }

  /** Whether a drill runs, and the latest one kept: what metrics show, without reading every file. */
  brief(source: Deployment): { running: boolean; last: DrillListing | null } | null {
    if (!source.drills) return null;
    const last = source.drills.listCached().find((l) => l.deployment === source.name) ?? null;
    return { running: this.busy(source) !== null, last };
  }

  async state(source: Deployment): Promise<DrillsState> {
    const store = this.storeOf(source);
    const cluster = source.kind === 'cluster';
    const latest = this.latest.get(source.name)?.live ?? null;
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
        : (await source.proxyEndpoints())
          ? ['sentinel', 'role-check', 'proxy']
          : ['sentinel', 'role-check'],
      last: latest,
      past: store?.list().filter((l) => l.deployment === source.name) ?? [],
    };
  }

  record(source: Deployment, id: string): DrillRecord | null {
    const record = source.drills?.read(id) ?? null;
    return record?.deployment === source.name ? record : null;
  }

  report(source: Deployment, id: string): string | null {
    return this.record(source, id) ? (source.drills?.report(id) ?? null) : null;
  }

  /** Starts a drill in the background and returns its live state, or throws saying why not. */
  async start(source: Deployment, request: DrillRequest, actor: string): Promise<DrillLive> {
    const store = this.storeOf(source);
    if (!store)
      throw new ActionError((await this.state(source)).why ?? 'drills are not available', 409);
    const proxy = await source.proxyEndpoints();
    if (request.via === 'proxy' && !proxy)
      throw new ActionError(
        `'${source.name}' runs behind no proxy of quorum's to write through`,
        409,
      );
    const { kind } = source;
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
    const busy = this.busy(source) ?? source.jobs.busy('cluster');
    if (busy) throw new ActionError(`${busy}; the drill would measure it instead`, 409);
    const topology = source.observer.current();
    const problems = topology ? healthProblems(topology, source.expect) : ['not observed yet'];
    if (problems.length > 0) {
      throw new ActionError(
        `'${source.name}' is not healthy, so a drill would measure the wrong thing: ${problems.join('; ')}`,
        409,
      );
    }
    const drillTarget = await source.drillTarget(topology);
    const drill = new LiveDrill(source.name, scenario.name, request.runs, (live, finished) =>
      this.push({ type: 'drill', deployment: source.name, live, finished }),
    );
    const record = drillRecorder(drillTarget);
    const job = serveNow(() =>
      source.jobs.start({
        kind: 'drill',
        description: `drill ${scenario.name} (${String(request.runs)} runs)`,
        by: actor,
        steps: [
          {
            name: 'run',
            run: async ({ signal }) => {
              const results = await runDrills(
                drillTarget,
                {
                  scenarios: [scenario],
                  runs: request.runs,
                  writers: 4,
                  rate: 1000,
                  ...(request.via ? { via: request.via } : {}),
                },
                {
                  progress: (line) => drill.say(line),
                  onLive: (_name, run, snapshot) => drill.update(run, snapshot),
                  onResult: (stored) => drill.stored(stored),
                  signal,
                },
              );
              const broken = results.reduce((n, r) => n + r.summary.violations, 0);
              const unusual = results.reduce((n, r) => n + r.summary.deviations, 0);
              return `done: ${countsVerdict(broken, unusual)}`;
            },
          },
        ],
      }),
    );
    this.latest.set(source.name, drill);
    this.running.add(job);
    void record('quorum:action', `drill ${scenario.name} started (${String(request.runs)} runs)`, {
      action: 'drill-start',
      scenario: scenario.name,
      by: actor,
    }).catch(() => undefined);
    void job.ended
      .then((ended) => {
        this.running.delete(job);
        drill.setPhase(
          ended.state === 'succeeded' ? 'done' : ended.state === 'cancelled' ? 'stopped' : 'failed',
        );
        drill.say(ended.result ?? ended.error ?? ended.state);
      })
      // what is said of an ended drill must never take the server down with it
      .catch(() => undefined);
    drill.show();
    return drill.live;
  }

  /** Stops the drill on this deployment after healing; false when none runs. */
  stop(source: Deployment, actor: string): boolean {
    const job = source.jobs.current('drill');
    const drill = this.latest.get(source.name);
    if (!job || !drill) return false;
    drill.setPhase('stopping');
    job.cancel();
    source.observer.record('quorum:action', `drill ${drill.live.scenario} stopped`, {
      action: 'drill-stop',
      scenario: drill.live.scenario,
      by: actor,
    });
    drill.show();
    return true;
  }

  /** Stops every drill and waits until each healed what it broke. */
  async close(): Promise<void> {
    const jobs = [...this.running];
    for (const job of jobs) job.cancel();
    await Promise.all(jobs.map((job) => job.ended));
  }
}

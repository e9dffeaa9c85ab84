import type { DrillRecord, DrillStore, ScenarioResult } from '../drill/index.js';
import { listingOf, runDrills, SCENARIOS, scenarioNamed, writeSeries } from '../drill/index.js';
import { healthProblems, UserError } from '../model/index.js';
import { ActionError } from './actions.js';
import type { DrillLive, DrillRequest, DrillsState, PushMessage } from './contract.js';
import type { DeploymentSource } from './hub.js';

/** Progress lines kept for the live panel. */
const LINES_KEPT = 30;

interface Running {
  live: DrillLive;
  abort: AbortController;
  done: Promise<unknown>;
}

/**
 * Drills started from the dashboard: at most one per deployment, run in this process against a
 * deployment whose supervisor quorum runs, with the live chart pushed to every browser.
 */
export class DrillDesk {
  private readonly running = new Map<string, Running>();

  constructor(private readonly push: (message: PushMessage) => void) {}

  private storeOf(source: DeploymentSource): DrillStore | null {
    return source.controller && source.drills ? source.drills : null;
  }

  state(source: DeploymentSource): DrillsState {
    const store = this.storeOf(source);
    return {
      available: store !== null,
      why:
        store === null
          ? `drills from the dashboard run only on a deployment quorum launched; against '${source.name}' run them with: quorum drill <scenario> --sentinel ... --yes-really`
          : null,
      scenarios: SCENARIOS.map((s) => ({
        name: s.name,
        description: s.description,
        expectFailover: s.expectFailover,
        needsProcesses: s.fault.needsProcesses,
      })),
      running: this.running.get(source.name)?.live ?? null,
      past: store?.list().filter((l) => l.deployment === source.name) ?? [],
    };
  }

  record(source: DeploymentSource, id: string): DrillRecord | null {
    const record = source.drills?.read(id) ?? null;
    return record?.deployment === source.name ? record : null;
  }

  report(source: DeploymentSource, id: string): string | null {
    return this.record(source, id) ? (source.drills?.report(id) ?? null) : null;
  }

  /** Starts a drill; resolves once it runs (the lock is held), or rejects saying why not. */
  start(source: DeploymentSource, request: DrillRequest): DrillLive {
    const store = this.storeOf(source);
    if (!store) throw new ActionError(this.state(source).why ?? 'drills are not available', 409);
    const scenario = scenarioNamed(request.scenario);
    if (!scenario) {
      throw new ActionError(
        `there is no scenario '${request.scenario}'; use one of: ${SCENARIOS.map((s) => s.name).join(', ')}`,
        400,
      );
    }
    if (this.running.has(source.name))
      throw new ActionError(`a drill already runs on '${source.name}'; stop it first`, 409);
    const topology = source.observer.current();
    const problems = topology ? healthProblems(topology, source.expect) : ['not observed yet'];
    if (problems.length > 0) {
      throw new ActionError(
        `'${source.name}' is not healthy, so a drill would measure the wrong thing: ${problems.join('; ')}`,
        409,
      );
    }
    const holder = store.running();
    if (holder) {
      throw new ActionError(
        `a drill (${holder.what}) is already running in process ${String(holder.pid)}`,
        409,
      );
    }
    const downAfter = Math.max(0, ...(topology?.sentinels.map((s) => s.downAfterMs ?? 0) ?? []));
    const { target } = source.observer;
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
    const abort = new AbortController();
    const publish = () =>
      this.push({ type: 'drill', deployment: source.name, live, finished: null });
    const say = (line: string) => {
      live.lines = [...live.lines, line].slice(-LINES_KEPT);
      publish();
    };
    const done = runDrills(
      {
        deployment: source.name,
        observer: source.observer,
        controller: source.controller,
        expect: source.expect,
        sentinels: target.sentinels,
        masterName: target.masterName,
        password: target.password,
        sentinelPassword: target.sentinelPassword,
        downAfterMs: downAfter > 0 ? downAfter : 30_000,
        store,
      },
      { scenarios: [scenario], runs: request.runs, writers: 4, rate: 1000 },
      {
        progress: say,
        onLive: (_name, run, snapshot) => {
          Object.assign(live, { run, ...snapshot });
          publish();
        },
        onResult: (record) => {
          live.phase = 'done';
          this.push({
            type: 'drill',
            deployment: source.name,
            live,
            finished: listingOf(record),
          });
        },
        signal: abort.signal,
      },
    ).then(
      (results: ScenarioResult[]) => {
        const broken = results.reduce((n, r) => n + r.summary.violations, 0);
        say(
          abort.signal.aborted
            ? 'stopped; every fault it injected was healed'
            : `done: ${broken === 0 ? 'everything behaved as Redis should' : `${String(broken)} unexpected results`}`,
        );
      },
      (err: unknown) => {
        live.phase = 'failed';
        say(
          `failed: ${err instanceof UserError || err instanceof Error ? err.message : String(err)}`,
        );
      },
    );
    const entry: Running = { live, abort, done };
    this.running.set(source.name, entry);
    void done.finally(() => {
      this.running.delete(source.name);
      this.push({ type: 'drill', deployment: source.name, live: null, finished: null });
    });
    publish();
    return live;
  }

  /** Stops the drill on this deployment after healing; false when none runs. */
  stop(name: string): boolean {
    const entry = this.running.get(name);
    if (!entry) return false;
    entry.live.phase = 'stopping';
    entry.abort.abort();
    return true;
  }

  /** Stops every drill and waits until each healed what it broke. */
  async close(): Promise<void> {
    for (const name of this.running.keys()) this.stop(name);
    await Promise.all([...this.running.values()].map((r) => r.done));
  }
}

import type { Expectation, QuorumEvent, Topology } from '../model/index.js';
import { UserError } from '../model/index.js';
import type { FaultContext, NetworkFaults } from '../faults/index.js';
import type { NodeController } from '../local/index.js';
import type { Observer } from '../observer/index.js';
import type { LossReport } from './checker.js';
import { checkWrites, writeSeries, writesByNode } from './checker.js';
import type { ReadRecord, WriteRecord } from './ledger.js';
import { keepLedger } from './ledger-file.js';
import type { LiveFeed } from './run-steps.js';
import {
  healFault,
  liveFeed,
  markedEvents,
  waitHealthy,
  waitHealthyAfterHeal,
} from './run-steps.js';
import type { Scenario } from './types.js';
import { interrupted, isAborted, pause, sleep } from './timing.js';
import type { DrillPhase, DrillRun, LiveRun, RunCommon } from './types.js';
import type { Writers } from './writers.js';
import type { Access } from '../redis/index.js';

/** Writes a `quorum:` event to the deployment's timeline. */
export type Recorder = (
  type: string,
  message: string,
  detail: QuorumEvent['detail'],
) => Promise<void>;

/** What the engine asks of the observer: fresh observations, and its pushes while a run goes on. */
export type EngineObserver = Pick<Observer, 'bus' | 'fresh'>;

/** What every run needs, whatever the deployment's kind. */
export interface EngineOptions {
  scenario: Scenario;
  observer: EngineObserver;
  /** The local supervisor; null for an attached deployment (command faults only). */
  controller: NodeController | null;
  record: Recorder;
  expect: Expectation;
  access: Access;
  /** Called about twice a second while the run goes on, and when its phase changes. */
  onLive?: (live: LiveRun) => void;
  /** Progress lines for a person. */
  progress: (line: string) => void;
  /** Where phase changes are said (`kill-master: healing -> checking`); nowhere by default. */
  log?: (line: string) => void;
  /** Aborted by Ctrl-C: heal and stop. */
  signal: AbortSignal;
  /** The lab's network faults; null on loopback or for an attached deployment. */
  network: NetworkFaults | null;
  /**
   * Where every write of the run and its verdict are appended as JSON lines (`LedgerLine`); the
   * drill's keys are then left in place, so anyone can check the verdict against the data. When
   * absent, the keys are deleted after the read-back.
   */
  ledgerFile?: string;
}

/** What the engine measured itself, for an adapter to add its kind's figures to. */
export interface Measured {
  after: Topology;
  faultAtMs: number;
  startedAtMs: number;
  /** When the writers were told to stop. */
  endMs: number;
  events: readonly QuorumEvent[];
  writes: readonly WriteRecord[];
  reads: readonly ReadRecord[];
  /** The fields every run has that need nothing of the kind. */
  common: LossReport &
    Pick<RunCommon, 'faultAtMs' | 'injected' | 'healed' | 'series' | 'events' | 'byNode'> &
    Pick<RunCommon, 'writersIn' | 'healMs' | 'violations' | 'deviations'>;
}

/** One run as a kind's adapter prepared it, once the deployment was found healthy. */
export interface PreparedRun<B extends { present: Set<string> }> {
  writers: Writers;
  /** The lab namespace the writers run in; null on the host. */
  writersIn: string | null;
  /** The fault context's parts that are the kind's own. */
  context: Pick<FaultContext, 'masterName' | 'sentinelAccess' | 'downAfterMs'> &
    Partial<Pick<FaultContext, 'note' | 'progress'>>;
  /** Each observation while the run goes on (`faultAtMs` 0 until the fault took effect). */
  onTopology?: (t: Topology, faultAtMs: number) => void;
  /** Once the fault is in: waits for what it should lead to, or holds it its time. */
  awaitOutcome(faultAtMs: number, signal: AbortSignal): Promise<void>;
  /** After the heal, before the wait for health. */
  afterHeal?: (faultAtMs: number, signal: AbortSignal) => Promise<void>;
  /** How long the deployment may take to be healthy again after the heal. */
  healthyTimeoutMs: number;
  /** The values that survived, from the healthy deployment after the run. */
  readBack(after: Topology, signal: AbortSignal): Promise<B>;
  /** The run with the kind's timings and figures, judged (pure but for what it kept). */
  judge(read: B, measured: Measured): DrillRun;
}

/** What a Sentinel run and a Cluster run do differently; the engine does the rest. */
export interface DrillAdapter<B extends { present: Set<string> }> {
  /** How to start a lab of this kind, for a scenario that needs one. */
  labCommand: string;
  /** What to add when a scenario needs a local supervisor. */
  processesHint: string;
  /** The events the chart marks. */
  marks: ReadonlySet<string>;
  prepare(before: Topology, signal: AbortSignal): Promise<PreparedRun<B>>;
}

const WARMUP_MS = 1500;
/** How long a drill waits for a healthy deployment before it refuses to start. */
const SETTLE_TIMEOUT_MS = 10_000;

/**
 * Runs one scenario: settle, warm-up, inject and record, await the outcome, heal (always), settle
 * again, stop the writers, read back, measure, judge. The deployment must be healthy before, and
 * is healthy again after (or the run throws saying why).
 */
export class DrillEngine<B extends { present: Set<string> }> {
  private current: DrillPhase = 'settling';
  private faultAtMs = 0;
  private feed: LiveFeed | null = null;

  constructor(
    private readonly options: EngineOptions,
    private readonly adapter: DrillAdapter<B>,
  ) {}

  get phase(): DrillPhase {
    return this.current;
  }

  private setPhase(next: DrillPhase): void {
    if (next === this.current) return;
    this.options.log?.(`${this.options.scenario.name}: ${this.current} -> ${next}`);
    this.current = next;
    this.feed?.push();
  }

  private refuse(): void {
    const { scenario, network, controller } = this.options;
    if (scenario.fault.needsLab === true && !network)
      throw new UserError(
        `the scenario ${scenario.name} cuts the network between processes, which needs a lab deployment: start one with '${this.adapter.labCommand}'`,
        2,
      );
    if (scenario.fault.needsProcesses && !controller)
      throw new UserError(
        `the scenario ${scenario.name} acts on processes, which only a local deployment's supervisor can do${this.adapter.processesHint}`,
        2,
      );
  }

  async run(): Promise<DrillRun> {
    try {
      this.refuse();
      const run = await this.settleAndRun();
      this.setPhase('done');
      return run;
    } catch (err) {
      this.setPhase(isAborted(this.options.signal) ? 'stopped' : 'failed');
      throw err;
    }
  }

  private async settleAndRun(): Promise<DrillRun> {
    const { observer, signal } = this.options;
    // a deployment just moved (a switchover, the run before) settles in a few seconds
    const before = await waitHealthy(observer, this.options.expect, SETTLE_TIMEOUT_MS, signal);
    const prepared = await this.adapter.prepare(before, signal);
    const events: QuorumEvent[] = [];
    const onEvent = (e: QuorumEvent) => events.push(e);
    const onTopology = (t: Topology) => prepared.onTopology?.(t, this.faultAtMs);
    observer.bus.on('event', onEvent);
    observer.bus.on('topology', onTopology);
    try {
      return await this.inject(before, prepared, events);
    } finally {
      // a fault that could not be injected leaves the writers running: stop them in any case
      await prepared.writers.stop();
      this.feed?.stop();
      this.feed = null;
      observer.bus.off('event', onEvent);
      observer.bus.off('topology', onTopology);
    }
  }

  private async inject(
    before: Topology,
    prepared: PreparedRun<B>,
    events: QuorumEvent[],
  ): Promise<DrillRun> {
    const { scenario, observer, controller, network, signal, progress } = this.options;
    const { writers } = prepared;
    const startedAtMs = Date.now();
    const ctx: FaultContext = {
      controller,
      before,
      processes: controller ? await controller.processes() : [],
      network,
      access: this.options.access,
      ...prepared.context,
      tookEffect: () => {
        if (this.faultAtMs !== 0) return;
        this.faultAtMs = Date.now();
        this.setPhase('fault-injected');
      },
      observe: () => observer.fresh(),
      signal,
    };
    this.feed = liveFeed(this.options.onLive, {
      startedAtMs,
      writes: writers.ledger.writes,
      events,
      marks: this.adapter.marks,
      now: () => ({ phase: this.livePhase(), faultAtMs: this.faultAtMs }),
    });
    let injected = '';
    let healed = '';
    let healError: string | null = null;
    let healAtMs = 0;
    this.setPhase('warming-up');
    try {
      await writers.start();
      await pause(WARMUP_MS, signal);
      if (signal.aborted) throw interrupted();
      progress(`${scenario.name}: injecting (${scenario.description})`);
      injected = await scenario.fault.inject(ctx);
      // the fault counts from when it took effect (a kill returns once the process is gone), so a
      // write the old master answered just before it died is not taken for a recovered one
      if (this.faultAtMs === 0) this.faultAtMs = Date.now();
      this.setPhase('fault-injected');
      await this.options.record('quorum:fault-injected', `drill ${scenario.name}: ${injected}`, {
        scenario: scenario.name,
      });
      await prepared.awaitOutcome(this.faultAtMs, signal);
      progress(`${scenario.name}: healing`);
    } finally {
      this.setPhase('healing');
      healAtMs = Date.now();
      ({ healed, error: healError } = await healFault(scenario, ctx, this.options));
    }
    await prepared.afterHeal?.(this.faultAtMs, signal);
    let after: Topology;
    let endMs = 0;
    try {
      // healed, so wait for health even when interrupted: the drill leaves it as it found it
      after = await waitHealthyAfterHeal(
        observer,
        this.options.expect,
        prepared.healthyTimeoutMs,
        healError,
      );
      await sleep(1000);
    } finally {
      endMs = Date.now();
      this.setPhase('checking');
      await writers.stop();
    }
    const read = await prepared.readBack(after, signal);
    // an interrupted run measured only part of what it should: it is not a result
    if (isAborted(signal)) throw interrupted();
    const { writes, reads } = writers.ledger;
    const faultAtMs = this.faultAtMs;
    if (this.options.ledgerFile !== undefined)
      keepLedger(this.options.ledgerFile, scenario.name, faultAtMs, writes, read.present);
    return prepared.judge(read, {
      after,
      faultAtMs,
      startedAtMs,
      endMs,
      events,
      writes,
      reads,
      common: {
        faultAtMs,
        ...checkWrites(writes, read.present, faultAtMs),
        violations: [],
        deviations: [],
        injected,
        healed,
        series: writeSeries(writes, faultAtMs, startedAtMs, endMs),
        events: markedEvents(events, this.adapter.marks, startedAtMs, faultAtMs),
        byNode: writesByNode(writes, read.present),
        writersIn: prepared.writersIn,
        // the heal ran (finally above); a fault that never took effect has no span
        healMs: faultAtMs === 0 ? null : healAtMs - faultAtMs,
      },
    });
  }

  /** The phase as a live chart shows it: a run under way is never done. */
  private livePhase(): LiveRun['phase'] {
    const phase = this.current;
    return phase === 'done' || phase === 'failed' || phase === 'stopped' ? 'checking' : phase;
  }
}

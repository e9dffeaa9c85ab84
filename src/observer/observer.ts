import type { Addr, LinkReport, Moves, QuorumEvent, Topology } from '../model/index.js';
import { DEFAULT_DEDUP_WINDOW_MS, diffTopology, Lifecycle } from '../model/index.js';
import { Bus } from './bus.js';
import { pollCluster } from './cluster-poll.js';
import { CertificateWatch } from './certificates.js';
import { ObserverLinks } from './links.js';
import { OPEN_ACCESS } from '../redis/index.js';
import type { PollHealthChange } from './poll-health.js';
import { nothingAnswered, PollHealth } from './poll-health.js';
import { pollSentinels } from './sentinel-poll.js';
import type { PollResult } from './sentinel-poll.js';
import { eventId, SentinelEvents } from './sentinel-events.js';
import type { ObserveTarget } from './target.js';

export interface ObserverOptions {
  /** Time between two polls of every node and sentinel. @default 1000 */
  pollIntervalMs: number;
  /** Time allowed for connecting and for each call. @default 1000 */
  timeoutMs: number;
  /** Window in which several sentinels' reports of one event are merged. @default 10000 */
  dedupWindowMs: number;
  /** Subscribe to the sentinels' event channels. @default true */
  subscribe: boolean;
}

const DEFAULT_OBSERVER_OPTIONS: ObserverOptions = {
  pollIntervalMs: 1000,
  timeoutMs: 1000,
  dedupWindowMs: DEFAULT_DEDUP_WINDOW_MS,
  subscribe: true,
};

/** How the observer itself is doing: what metrics say about the watcher, not the watched. */
export interface ObserverStats {
  /** Polls finished since start. */
  polls: number;
  /** How long the last poll took, null before the first. */
  lastPollMs: number | null;
  /** Node and sentinel reads that failed, summed over every poll. */
  failedReads: number;
  /** Polls that failed: one threw, or no node and no sentinel answered. */
  failedPolls: number;
  /** Why the last poll failed; null when it succeeded (or none finished yet). */
  failing: string | null;
  /** Data older than this is stale: three poll intervals. */
  staleAfterMs: number;
}

/** Data is stale once it is older than this many poll intervals. */
const STALE_AFTER_POLLS = 3;

/**
 * `idle`: links open, polls only when asked (`poll()`, as `status` does). `starting`: the first
 * poll of `start()` is under way. `watching`: polling every interval and at once after urgent
 * events. `stopping`: waiting for the poll under way, then closing every link. `stopped`: no poll,
 * link or subscription is started again.
 */
export type ObserverState = 'idle' | 'starting' | 'watching' | 'stopping' | 'stopped';

const OBSERVER_MOVES: Moves<ObserverState> = {
  idle: ['starting', 'stopping'],
  starting: ['watching', 'stopping'],
  watching: ['stopping'],
  stopping: ['stopped'],
  stopped: [],
};

/**
 * Keeps the live model of one Sentinel deployment: polls every data node and asks every sentinel
 * for its own view, subscribes to every sentinel's events, merges the same event reported by
 * several sentinels, and emits topology, events and quorum's own change events on `bus`.
 * Nothing a node does (refusing, hanging, replying garbage) escapes as an exception.
 */
export class Observer {
  readonly bus = new Bus();
  private readonly options: ObserverOptions;
  private readonly lifecycle = new Lifecycle<ObserverState>('observer', OBSERVER_MOVES, 'idle');
  private readonly links: ObserverLinks;
  private readonly certificates: CertificateWatch;
  /** Null for a cluster, which publishes no events. */
  private readonly events: SentinelEvents | null;
  private latest: Topology | null = null;
  private readonly counters: Pick<ObserverStats, 'polls' | 'lastPollMs' | 'failedReads'> = {
    polls: 0,
    lastPollMs: null,
    failedReads: 0,
  };
  private readonly health = new PollHealth();
  private inFlight: Promise<Topology> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped: Promise<void> | null = null;

  constructor(
    readonly target: ObserveTarget,
    options: Partial<ObserverOptions> = {},
  ) {
    this.options = { ...DEFAULT_OBSERVER_OPTIONS, ...options };
    this.events =
      target.kind === 'sentinel' ? new SentinelEvents(target, this.options.dedupWindowMs) : null;
    this.certificates = new CertificateWatch(target, this.options.timeoutMs);
    this.links = new ObserverLinks({
      timeoutMs: this.options.timeoutMs,
      access: target.access,
      sentinelAccess: target.kind === 'sentinel' ? target.sentinelAccess : OPEN_ACCESS,
      subscribe: this.options.subscribe,
      accepting: () => this.isOpen(),
      onSentinelMessage: (sentinel, channel, message) =>
        this.onSentinelMessage(sentinel, channel, message),
    });
    if (target.kind === 'sentinel')
      for (const addr of target.sentinels) this.links.ensureSentinel(addr);
    for (const addr of target.nodes) this.links.ensureNode(addr);
  }

  get state(): ObserverState {
    return this.lifecycle.state;
  }

  private isOpen(): boolean {
    return this.state !== 'stopping' && this.state !== 'stopped';
  }

  /** The last observation, or null before the first poll finished. */
  current(): Topology | null {
    return this.latest;
  }

  /** Poll counts and timings (a copy). */
  stats(): ObserverStats {
    const health = this.health.state;
    return {
      ...this.counters,
      failedPolls: this.health.failures,
      failing: health.state === 'failing' ? health.reason : null,
      staleAfterMs: STALE_AFTER_POLLS * this.options.pollIntervalMs,
    };
  }

  /** Every sentinel's and node's link: what it is for, its state, since when, the last failure. */
  linkReports(): LinkReport[] {
    return this.links.report();
  }

  /** Polls once, then keeps polling every `pollIntervalMs` until `stop()`. */
  async start(): Promise<Topology> {
    this.lifecycle.setState('starting');
    const first = await this.poll();
    if (this.state === 'starting') {
      this.lifecycle.setState('watching');
      this.schedule(this.options.pollIntervalMs);
    }
    return first;
  }

  /** Waits for the poll under way, then closes every link; later calls wait for the same. */
  stop(): Promise<void> {
    this.stopped ??= this.shutDown();
    return this.stopped;
  }

  private async shutDown(): Promise<void> {
    this.lifecycle.setState('stopping');
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    // a poll chained by fresh() may start while we wait for the current one: wait for all
    while (this.inFlight) await this.inFlight.catch(() => undefined);
    await this.links.closeAll();
    this.lifecycle.setState('stopped');
  }

  /** One full observation; concurrent callers share the poll already under way. */
  poll(): Promise<Topology> {
    if (!this.isOpen()) {
      return this.latest
        ? Promise.resolve(this.latest)
        : Promise.reject(new Error('the observer is stopped'));
    }
    this.inFlight ??= this.observe().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  /**
   * An observation that starts after this call: when a poll is already under way (and so may
   * have read the sentinels before the change that prompted this call), one more follows it.
   */
  fresh(): Promise<Topology> {
    const running = this.inFlight;
    if (!running) return this.poll();
    return running.catch(() => undefined).then(() => this.poll());
  }

  private schedule(delayMs: number): void {
    if (this.state !== 'starting' && this.state !== 'watching') return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.fresh()
        .catch(() => undefined)
        .finally(() => this.schedule(this.options.pollIntervalMs));
    }, delayMs);
  }

  private onSentinelMessage(sentinel: Addr, channel: string, message: string): void {
    const received = this.events?.receive(sentinel, channel, message);
    if (!received) return;
    if (received.kind === 'new') this.bus.emit('event', received.event);
    else this.bus.emit('report', { id: received.id, report: received.report });
    if (received.urgent) this.schedule(0);
  }

  /** Emits one of quorum's own events (`quorum:...`) on the bus, as if observed. */
  record(type: string, message: string, detail: QuorumEvent['detail']): void {
    const ms = Date.now();
    this.bus.emit('event', {
      id: eventId(ms),
      ms,
      deployment: this.target.name,
      type,
      source: 'quorum',
      message,
      subject: null,
      switch: null,
      reports: [{ by: 'quorum', ms }],
      detail,
    });
  }

  private async observe(): Promise<Topology> {
    try {
      let result = await this.observeOnce();
      // what a poll discovers (sentinels, replicas) is read by the next: a one-shot reader
      // (status) must not judge a deployment by the seed sentinel alone
      for (let more = 0; more < 2 && result.discovered && this.isOpen(); more++)
        result = await this.observeOnce();
      // a poll nobody answered still publishes (every node down, with the reasons), but it is a
      // failed poll: the observer, not the deployment, may be what is cut off
      const nothing = nothingAnswered(result.reads, result.failedReads);
      this.sayHealth(nothing ? this.health.failed(nothing) : this.health.succeeded());
      return result.topology;
    } catch (err) {
      this.sayHealth(this.health.failed(err instanceof Error ? err.message : String(err)));
      throw err;
    }
  }

  /** One event when polls start failing, one when they succeed again; none per failed poll. */
  private sayHealth(change: PollHealthChange | null): void {
    if (!change || !this.isOpen()) return;
    if (change.kind === 'failing')
      this.record(
        'quorum:observer-failing',
        `polls of ${this.target.name} fail: ${change.reason}`,
        {
          reason: change.reason,
        },
      );
    else
      this.record(
        'quorum:observer-recovered',
        `polls of ${this.target.name} succeed again after ${change.failedPolls} failed`,
        { failedPolls: change.failedPolls },
      );
  }

  private async observeOnce(): Promise<PollResult> {
    const startedMs = performance.now();
    const result: PollResult =
      this.target.kind === 'cluster'
        ? await pollCluster(this.links, this.target)
        : await pollSentinels(this.links, this.target, this.latest, (interim) =>
            this.publish(interim),
          );
    this.counters.polls += 1;
    this.counters.lastPollMs = performance.now() - startedMs;
    this.counters.failedReads += result.failedReads;
    result.topology = await this.certificates.attach(result.topology);
    this.publish(result.topology);
    if (result.discovered) this.schedule(0);
    return result;
  }

  /**
   * Stops observing a node that left the cluster (after `cluster del-node`), so it is no longer
   * shown as part of it.
   */
  forget(addr: Addr): void {
    this.links.forgetNode(addr);
  }

  /** Makes `topology` the current one: quorum's own events for what changed, then the topology. */
  private publish(topology: Topology): void {
    if (!this.isOpen()) return;
    const previous = this.latest;
    this.latest = topology;
    if (previous) {
      for (const change of diffTopology(previous, topology))
        this.record(change.type, change.message, change.detail);
    }
    this.bus.emit('topology', topology);
  }
}

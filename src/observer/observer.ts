import type { Addr, DataNode, QuorumEvent, SentinelView, Topology } from '../model/index.js';
import {
  agreeOnMaster,
  clusterState,
  DEFAULT_DEDUP_WINDOW_MS,
  diffTopology,
  EventDeduplicator,
  eventKey,
  parseSentinelEvent,
} from '../model/index.js';
import type { ClusterReading, SentinelReading } from '../redis/index.js';
import {
  computeLag,
  readClusterNode,
  readDataNode,
  readSentinel,
  RedisLink,
  Subscription,
} from '../redis/index.js';
import { Bus } from './bus.js';

/** A Sentinel-managed deployment to observe: seed sentinels plus any data nodes known up front. */
export interface SentinelTarget {
  /** Deployment name shown to people (the local launcher uses the master name). */
  name: string;
  masterName: string;
  sentinels: Addr[];
  /** Data nodes known without asking sentinels (the local launcher knows all of them). */
  nodes: Addr[];
  /** Password of the data nodes. */
  password: string | null;
  /** Password of the sentinels themselves (`requirepass` in sentinel.conf). */
  sentinelPassword: string | null;
  /**
   * `cluster`: `nodes` are seeds of a Redis Cluster (no sentinels); every node's CLUSTER NODES
   * names the others. @default 'sentinel'
   */
  mode?: 'sentinel' | 'cluster';
}

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

export const DEFAULT_OBSERVER_OPTIONS: ObserverOptions = {
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
}

interface SentinelLinks {
  link: RedisLink;
  subscription: Subscription | null;
}

/** Events after which the observer polls at once instead of waiting for the next tick. */
const URGENT_EVENTS = new Set([
  '+switch-master',
  '+odown',
  '+sdown',
  '-sdown',
  '+role-change',
  '+convert-to-slave',
  '+tilt',
  '-tilt',
]);

let sequence = 0;
function eventId(ms: number): string {
  sequence = (sequence + 1) % 1_000_000;
  return `${ms.toString(36)}-${sequence.toString(36)}-${Math.floor(Math.random() * 1296).toString(36)}`;
}

/**
 * Keeps the live model of one Sentinel deployment: polls every data node and asks every sentinel
 * for its own view, subscribes to every sentinel's events, merges the same event reported by
 * several sentinels, and emits topology, events and quorum's own change events on `bus`.
 * Nothing a node does (refusing, hanging, replying garbage) escapes as an exception.
 */
export class Observer {
  readonly bus = new Bus();
  private readonly options: ObserverOptions;
  private readonly sentinels = new Map<Addr, SentinelLinks>();
  private readonly nodes = new Map<Addr, RedisLink>();
  private readonly dedup: EventDeduplicator<QuorumEvent>;
  private latest: Topology | null = null;
  private readonly counters: ObserverStats = { polls: 0, lastPollMs: null, failedReads: 0 };
  private inFlight: Promise<Topology> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  /** Set by stop(): no poll, link or subscription is started after it. */
  private stopped = false;

  constructor(
    readonly target: SentinelTarget,
    options: Partial<ObserverOptions> = {},
  ) {
    this.options = { ...DEFAULT_OBSERVER_OPTIONS, ...options };
    this.dedup = new EventDeduplicator(this.options.dedupWindowMs);
    for (const addr of target.sentinels) this.ensureSentinel(addr);
    for (const addr of target.nodes) this.ensureNode(addr);
  }

  /** The last observation, or null before the first poll finished. */
  current(): Topology | null {
    return this.latest;
  }

  /** Poll counts and timings (a copy). */
  stats(): ObserverStats {
    return { ...this.counters };
  }

  /** Polls once, then keeps polling every `pollIntervalMs` until `stop()`. */
  async start(): Promise<Topology> {
    this.running = true;
    const first = await this.poll();
    this.schedule(this.options.pollIntervalMs);
    return first;
  }

  async stop(): Promise<void> {
    this.running = false;
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    // a poll chained by fresh() may start while we wait for the current one: wait for all
    while (this.inFlight) await this.inFlight.catch(() => undefined);
    for (const { link, subscription } of this.sentinels.values()) {
      subscription?.close();
      await link.close();
    }
    for (const link of this.nodes.values()) await link.close();
  }

  /** One full observation; concurrent callers share the poll already under way. */
  poll(): Promise<Topology> {
    if (this.stopped) {
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
    if (!this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.fresh()
        .catch(() => undefined)
        .finally(() => this.schedule(this.options.pollIntervalMs));
    }, delayMs);
  }

  private ensureSentinel(addr: Addr): void {
    if (this.stopped || this.sentinels.has(addr)) return;
    const linkOptions = {
      timeoutMs: this.options.timeoutMs,
      password: this.target.sentinelPassword,
      connectionName: 'quorum-observer',
    };
    const subscription = this.options.subscribe
      ? new Subscription(
          addr,
          '*',
          (channel, message) => this.onSentinelMessage(addr, channel, message),
          linkOptions,
        )
      : null;
    this.sentinels.set(addr, { link: new RedisLink(addr, linkOptions), subscription });
  }

  private ensureNode(addr: Addr): void {
    if (this.stopped || this.nodes.has(addr)) return;
    const link = new RedisLink(addr, {
      timeoutMs: this.options.timeoutMs,
      password: this.target.password,
      connectionName: 'quorum-observer',
    });
    this.nodes.set(addr, link);
  }

  private onSentinelMessage(sentinel: Addr, channel: string, message: string): void {
    const parsed = parseSentinelEvent(channel, message);
    if (!parsed) return;
    const masterName = parsed.switch?.masterName ?? parsed.subject?.masterName ?? null;
    if (masterName !== null && masterName !== this.target.masterName) return;
    const ms = Date.now();
    const result = this.dedup.observe(
      eventKey(parsed.type, parsed.message),
      sentinel,
      ms,
      () => ({
        id: eventId(ms),
        ms,
        deployment: this.target.name,
        type: parsed.type,
        source: 'sentinel',
        message: parsed.message,
        subject: parsed.subject,
        switch: parsed.switch,
        reports: [{ by: sentinel, ms }],
        detail: {},
      }),
      (event) => event.reports.push({ by: sentinel, ms }),
    );
    if (result.kind === 'new') this.bus.emit('event', result.item);
    else this.bus.emit('report', { id: result.item.id, report: { by: sentinel, ms } });
    // after these the model is most wrong: look again now, not in a second. Every sentinel's
    // +switch-master counts, since each one moves the agreement closer to the new master.
    if (URGENT_EVENTS.has(parsed.type)) this.schedule(0);
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
    if (this.target.mode === 'cluster') return this.observeCluster();
    const startedMs = performance.now();
    const readings = await Promise.all(
      [...this.sentinels.values()].map(({ link }) => readSentinel(link, this.target.masterName)),
    );
    const discovered = this.discover(readings);
    const views: SentinelView[] = readings
      .map((r) => r.view)
      .sort((a, b) => a.addr.localeCompare(b.addr, 'en', { numeric: true }));
    const agreement = agreeOnMaster(views);
    // when the sentinels' agreement moved, say so now: reading the data nodes can take a while
    // (the promoted node has just dropped every client, and connections must be made again)
    if (this.latest?.kind === 'sentinel' && agreement.master !== this.latest.agreement.master) {
      this.publish({ ...this.latest, agreement, sentinels: views, observedAtMs: Date.now() });
    }
    const results = await Promise.all([...this.nodes.values()].map((link) => readDataNode(link)));
    const nodes = results.map((r) => r.node);
    const masterInfos = new Map<Addr, string>();
    for (const r of results)
      if (r.info && r.node.role === 'master') masterInfos.set(r.node.addr, r.info);
    computeLag(nodes, masterInfos);
    markSentinelFlags(nodes, readings);
    const topology: Topology = {
      name: this.target.name,
      kind: 'sentinel',
      masterName: this.target.masterName,
      agreement,
      nodes: nodes.sort((a, b) => a.addr.localeCompare(b.addr, 'en', { numeric: true })),
      sentinels: views,
      observedAtMs: Date.now(),
    };
    this.counters.polls += 1;
    this.counters.lastPollMs = performance.now() - startedMs;
    this.counters.failedReads +=
      nodes.filter((n) => !n.up).length + views.filter((v) => !v.up).length;
    this.publish(topology);
    if (discovered) this.schedule(0);
    return topology;
  }

  /** One observation of a cluster: every node's INFO and its own CLUSTER INFO / NODES. */
  private async observeCluster(): Promise<Topology> {
    const startedMs = performance.now();
    const readings = await Promise.all(
      [...this.nodes.values()].map((link) => readClusterNode(link)),
    );
    const discovered = this.discoverCluster(readings);
    const nodes = readings.map((r) => r.node);
    const masterInfos = new Map<Addr, string>();
    for (const r of readings)
      if (r.info && r.node.role === 'master') masterInfos.set(r.node.addr, r.info);
    computeLag(nodes, masterInfos);
    const cluster = clusterState(
      readings
        .map((r) => r.view)
        .sort((a, b) => a.addr.localeCompare(b.addr, 'en', { numeric: true })),
    );
    const topology: Topology = {
      name: this.target.name,
      kind: 'cluster',
      nodes: nodes.sort((a, b) => a.addr.localeCompare(b.addr, 'en', { numeric: true })),
      cluster,
      observedAtMs: Date.now(),
    };
    this.counters.polls += 1;
    this.counters.lastPollMs = performance.now() - startedMs;
    this.counters.failedReads += nodes.filter((n) => !n.up).length;
    this.publish(topology);
    if (discovered) this.schedule(0);
    return topology;
  }

  /** Adds nodes that cluster nodes name (not ones still in handshake); true when one was new. */
  private discoverCluster(readings: ClusterReading[]): boolean {
    const before = this.nodes.size;
    for (const { view } of readings) {
      for (const entry of view.entries) {
        if (entry.addr && !entry.flags.includes('handshake') && !entry.flags.includes('noaddr'))
          this.ensureNode(entry.addr);
      }
    }
    return this.nodes.size > before;
  }

  /**
   * Stops observing a node that left the cluster (after `cluster del-node`), so it is no longer
   * shown as part of it.
   */
  forget(addr: Addr): void {
    const link = this.nodes.get(addr);
    if (!link) return;
    this.nodes.delete(addr);
    void link.close();
  }

  /** Makes `topology` the current one: quorum's own events for what changed, then the topology. */
  private publish(topology: Topology): void {
    if (this.stopped) return;
    const previous = this.latest;
    this.latest = topology;
    if (previous) {
      for (const change of diffTopology(previous, topology))
        this.record(change.type, change.message, change.detail);
    }
    this.bus.emit('topology', topology);
  }

  /** Adds replicas, masters and peer sentinels that sentinels name; true when something was new. */
  private discover(readings: SentinelReading[]): boolean {
    const before = this.sentinels.size + this.nodes.size;
    for (const reading of readings) {
      if (reading.view.masterAddr) this.ensureNode(reading.view.masterAddr);
      for (const replica of reading.replicas) this.ensureNode(replica.addr);
      for (const peer of reading.peers) this.ensureSentinel(peer.addr);
    }
    return this.sentinels.size + this.nodes.size > before;
  }
}

/** Marks on each node which sentinels flag it subjectively down, and whether any flags it o_down. */
function markSentinelFlags(nodes: DataNode[], readings: SentinelReading[]): void {
  const byAddr = new Map(nodes.map((n) => [n.addr, n]));
  for (const { view, replicas } of readings) {
    if (!view.up) continue;
    const master = view.masterAddr ? byAddr.get(view.masterAddr) : undefined;
    if (master && view.masterFlags.includes('s_down')) master.sdownBy.push(view.addr);
    if (master && view.masterFlags.includes('o_down')) master.odown = true;
    for (const replica of replicas) {
      const node = byAddr.get(replica.addr);
      if (node && replica.flags.includes('s_down')) node.sdownBy.push(view.addr);
    }
  }
}

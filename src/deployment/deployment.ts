import type { Addr, DeploymentKind, Expectation, QuorumEvent, Topology } from '../model/index.js';
import { sentinelsOf, UserError } from '../model/index.js';
import type { NodeController } from '../local/index.js';
import type { EventLog, Observer } from '../observer/index.js';
import type { DrillStore, DrillTarget } from '../drill/index.js';
import type { NetworkFaults } from '../faults/index.js';
import type { ProxyStats } from '../proxy/index.js';
import { RedisLink } from '../redis/index.js';
import type { ConnectionProfile, ProcessRole } from './profile.js';
import { linkOptions } from './profile.js';
import { JobDesk } from './jobs.js';

/** What a handle is made of; `openLocal` and `attach` fill it. */
export interface DeploymentParts {
  name: string;
  observer: Observer;
  /** The local supervisor; null for an attached deployment. */
  controller: NodeController | null;
  profile: ConnectionProfile;
  expect: Expectation;
  /** The data directory of a local deployment; null when attached. */
  dir: string | null;
  /** The local deployment's `events.jsonl`; null when attached. */
  eventLog: EventLog | null;
  /** Where drills are kept; null where none are run. */
  drills: DrillStore | null;
  /** The lab's network faults, for a deployment launched with `--network lab`. */
  network: NetworkFaults | null;
  /** The figures of quorum's proxy in front of it, when one runs. */
  proxyStats: (() => Promise<ProxyStats | null>) | null;
  /**
   * How long its failure detection waits, as configured (Sentinel's down-after, Cluster's
   * node-timeout); null when only observation can tell (attached).
   */
  detectionMs: number | null;
}

/** Time allowed for a call a person is waiting for (details, probes). @default 2000 */
const DEFAULT_CALL_TIMEOUT_MS = 2000;

/**
 * One deployment and what can be done to it: its observer, its supervisor when it is local, the
 * credentials every link is opened with, what a healthy state looks like, its drill store,
 * network faults, proxy figures, event log and job desk. Every capability takes the handle (or a narrow
 * view of it); none builds its own idea of "a deployment".
 */
export class Deployment {
  readonly name: string;
  readonly observer: Observer;
  readonly controller: NodeController | null;
  readonly profile: ConnectionProfile;
  readonly expect: Expectation;
  readonly dir: string | null;
  readonly eventLog: EventLog | null;
  readonly drills: DrillStore | null;
  readonly network: NetworkFaults | null;
  /** Its long jobs (drills, cluster changes): one of a family at a time, each ended one kept. */
  readonly jobs: JobDesk;
  private readonly proxyStats: (() => Promise<ProxyStats | null>) | null;
  private readonly detectionMs: number | null;

  constructor(parts: DeploymentParts) {
    this.name = parts.name;
    this.observer = parts.observer;
    this.controller = parts.controller;
    this.profile = parts.profile;
    this.expect = parts.expect;
    this.dir = parts.dir;
    this.eventLog = parts.eventLog;
    this.drills = parts.drills;
    this.network = parts.network;
    this.proxyStats = parts.proxyStats;
    this.detectionMs = parts.detectionMs;
    this.jobs = new JobDesk(parts.name, parts.dir);
  }

  get kind(): DeploymentKind {
    return this.observer.target.kind;
  }

  /** The figures of the proxy in front of it; null when none runs or it does not answer. */
  async proxy(): Promise<ProxyStats | null> {
    return this.proxyStats ? this.proxyStats().catch(() => null) : null;
  }

  /** Where quorum's proxy in front of it listens; null when none runs. */
  async proxyEndpoints(): Promise<{ write: Addr; read: Addr } | null> {
    const stats = await this.proxy();
    return stats ? { write: stats.write.addr, read: stats.read.addr } : null;
  }

  /**
   * What a drill needs of it, from the (healthy) topology it starts from: failure detection
   * as configured, else the longest down-after its sentinels report, else 30 s.
   */
  async drillTarget(topology: Topology | null): Promise<DrillTarget> {
    if (!this.drills) {
      throw new UserError(`drills against '${this.name}' have nowhere to be kept; pass --dir`, 2);
    }
    const { target } = this.observer;
    const sentinels = topology ? sentinelsOf(topology) : [];
    const reported = Math.max(0, ...sentinels.map((s) => s.downAfterMs ?? 0));
    return {
      deployment: this.name,
      observer: this.observer,
      controller: this.controller,
      expect: this.expect,
      sentinels: target.kind === 'sentinel' ? target.sentinels : [],
      masterName: target.kind === 'sentinel' ? target.masterName : target.name,
      access: this.profile.node,
      sentinelAccess: this.profile.sentinel,
      downAfterMs: this.detectionMs ?? (reported > 0 ? reported : 30_000),
      store: this.drills,
      proxy: this.kind === 'sentinel' ? await this.proxyEndpoints() : null,
      network: this.network,
    };
  }

  /** Writes one of quorum's own events: through the supervisor when local, else the observer. */
  record(type: string, message: string, detail: QuorumEvent['detail']): Promise<void> {
    if (this.controller) return this.controller.record(type, message, detail);
    this.observer.record(type, message, detail);
    return Promise.resolve();
  }

  /** Whether `addr` is a sentinel of this deployment, as last observed. */
  isSentinel(addr: Addr): boolean {
    const t = this.observer.current();
    return t !== null && sentinelsOf(t).some((s) => s.addr === addr);
  }

  /** Whether `addr` is a data node of this deployment, as last observed. */
  isNode(addr: Addr): boolean {
    return this.observer.current()?.nodes.some((n) => n.addr === addr) === true;
  }

  /**
   * A link to one of its processes, opened with the profile's credentials for that process.
   * The caller closes it.
   */
  link(
    addr: Addr,
    role: ProcessRole,
    purpose: string,
    timeoutMs = DEFAULT_CALL_TIMEOUT_MS,
  ): RedisLink {
    return new RedisLink(addr, linkOptions(this.profile, role, purpose, timeoutMs));
  }

  /** Stops observing. */
  close(): Promise<void> {
    return this.observer.stop();
  }
}

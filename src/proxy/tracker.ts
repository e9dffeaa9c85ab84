import { EventEmitter } from 'node:events';
import type { Addr, QuorumEvent, Topology } from '../model/index.js';
import type { Observer } from '../observer/index.js';
import { RedisLink } from '../redis/index.js';

/** How often a candidate that does not say `role:master` yet (promotion under way) is asked again. */
const CONFIRM_RETRY_MS = 50;
const CONFIRM_FOR_MS = 5000;

export interface MasterSwitch {
  from: Addr | null;
  to: Addr | null;
  atMs: number;
  /** From the earliest `+switch-master` (any sentinel) to the proxy routing to the new master. */
  tookMs: number | null;
}

interface TrackerEvents {
  /** The master writes go to changed (null: none for now). */
  master: [MasterSwitch];
  /** A new observation (for the read side). */
  topology: [Topology];
}

/** `ROLE` as the node answers it: its first element. */
async function roleOf(addr: Addr, password: string | null, timeoutMs: number): Promise<string> {
  const link = new RedisLink(addr, { timeoutMs, password, connectionName: 'quorum-proxy' });
  try {
    const reply = await link.call('ROLE');
    return Array.isArray(reply) && typeof reply[0] === 'string' ? reply[0] : 'unknown';
  } catch {
    return 'unreachable';
  } finally {
    await link.close();
  }
}

/**
 * Follows the master that a quorum of sentinels agree on, confirmed by the node itself (`ROLE`
 * says master) before any write goes there. It rides on the observer, which subscribes to every
 * sentinel and looks again at once on `+switch-master`. A node that says master without the
 * sentinels' agreement (an old master restarted as master) is never chosen. When no sentinel
 * answers, the last agreed master is kept for as long as it still says master.
 */
export class MasterTracker extends EventEmitter<TrackerEvents> {
  private current: Addr | null = null;
  private confirming: Addr | null = null;
  private lastSwitch: MasterSwitch | null = null;
  private switchEventMs: number | null = null;
  private sentinelsUnreachable = false;
  private topology: Topology | null = null;
  private readonly onTopology = (t: Topology) => void this.follow(t);
  private readonly onEvent = (e: QuorumEvent) => {
    if (e.type === '+switch-master') this.switchEventMs ??= e.ms;
  };

  constructor(
    private readonly observer: Observer,
    private readonly password: string | null,
    private readonly timeoutMs = 1000,
  ) {
    super();
  }

  /** Starts following; resolves after the first decision. */
  async start(): Promise<void> {
    this.observer.bus.on('topology', this.onTopology);
    this.observer.bus.on('event', this.onEvent);
    const t = this.observer.current() ?? (await this.observer.fresh());
    await this.follow(t);
  }

  stop(): void {
    this.observer.bus.off('topology', this.onTopology);
    this.observer.bus.off('event', this.onEvent);
  }

  master(): Addr | null {
    return this.current;
  }

  last(): MasterSwitch | null {
    return this.lastSwitch;
  }

  latest(): Topology | null {
    return this.topology;
  }

  /** True while no sentinel answers and the last agreed master is kept on its own word. */
  onOwnWord(): boolean {
    return this.sentinelsUnreachable;
  }

  private setMaster(next: Addr | null): void {
    if (next === this.current) return;
    const now = Date.now();
    const change: MasterSwitch = {
      from: this.current,
      to: next,
      atMs: now,
      tookMs: next !== null && this.switchEventMs !== null ? now - this.switchEventMs : null,
    };
    this.current = next;
    if (next !== null) this.switchEventMs = null;
    this.lastSwitch = change;
    this.emit('master', change);
  }

  private async follow(t: Topology): Promise<void> {
    this.topology = t;
    this.emit('topology', t);
    const reachable = t.sentinels.some((s) => s.up);
    this.sentinelsUnreachable = !reachable && t.sentinels.length > 0;
    if (this.sentinelsUnreachable) {
      // no sentinel to ask: keep the last agreed master while it still says so itself
      if (this.current !== null) {
        const role = await roleOf(this.current, this.password, this.timeoutMs);
        if (role !== 'master') this.setMaster(null);
      }
      return;
    }
    const candidate = t.agreement.master;
    if (candidate === this.current) return;
    if (candidate === null) {
      this.setMaster(null);
      return;
    }
    if (this.confirming === candidate) return;
    this.confirming = candidate;
    try {
      const deadline = Date.now() + CONFIRM_FOR_MS;
      for (;;) {
        const role = await roleOf(candidate, this.password, this.timeoutMs);
        // the sentinels moved on while we asked: the newer observation decides
        if (this.topology.agreement.master !== candidate) return;
        if (role === 'master') {
          this.setMaster(candidate);
          return;
        }
        if (Date.now() > deadline) {
          // agreed on, but it does not say master: no writes anywhere until it does
          this.setMaster(null);
          return;
        }
        await new Promise((r) => setTimeout(r, CONFIRM_RETRY_MS));
      }
    } finally {
      if (this.confirming === candidate) this.confirming = null;
    }
  }
}

import { EventEmitter } from 'node:events';
import type { Addr, QuorumEvent, Topology } from '../model/index.js';
import { agreedMaster, sentinelsOf } from '../model/index.js';
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
  /** Something went wrong while following, one sentence (the owner logs it; the tracker goes on). */
  problem: [string];
  /** The master writes go to changed (null: none for now). */
  master: [MasterSwitch];
  /** A new observation (for the read side). */
  topology: [Topology];
}

/** `ROLE` as the node answers it: its first element. */
async function roleOf(addr: Addr, password: string | null, timeoutMs: number): Promise<string> {
  let link: RedisLink | null = null;
  try {
    link = new RedisLink(addr, { timeoutMs, password, connectionName: 'quorum-proxy' });
    const reply = await link.call('ROLE');
    return Array.isArray(reply) && typeof reply[0] === 'string' ? reply[0] : 'unknown';
  } catch {
    return 'unreachable';
  } finally {
    await link?.close();
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
  /** The earliest `+switch-master` seen for each new master, until the proxy switches to it. */
  private readonly switchEvents = new Map<Addr, number>();
  private sentinelsUnreachable = false;
  private ownWordCheck = false;
  private stopped = false;
  private topology: Topology | null = null;
  private readonly onTopology = (t: Topology) => {
    this.follow(t).catch((err: unknown) =>
      this.emit('problem', err instanceof Error ? err.message : String(err)),
    );
  };
  private readonly onEvent = (e: QuorumEvent) => {
    const to = e.type === '+switch-master' ? e.switch?.to : undefined;
    if (to && to !== this.current && !this.switchEvents.has(to)) this.switchEvents.set(to, e.ms);
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
    this.stopped = true;
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
    const eventMs = next === null ? undefined : this.switchEvents.get(next);
    const change: MasterSwitch = {
      from: this.current,
      to: next,
      atMs: now,
      tookMs: eventMs === undefined ? null : now - eventMs,
    };
    this.current = next;
    if (next !== null) this.switchEvents.clear();
    this.lastSwitch = change;
    this.emit('master', change);
  }

  private async follow(t: Topology): Promise<void> {
    this.topology = t;
    this.emit('topology', t);
    const sentinels = sentinelsOf(t);
    const reachable = sentinels.some((s) => s.up);
    this.sentinelsUnreachable = !reachable && sentinels.length > 0;
    if (this.sentinelsUnreachable) {
      // no sentinel to ask: keep the last agreed master while it still says so itself (one
      // check at a time; its answer counts only if nothing changed meanwhile)
      const asked = this.current;
      if (asked === null || this.ownWordCheck) return;
      this.ownWordCheck = true;
      try {
        const role = await roleOf(asked, this.password, this.timeoutMs);
        if (!this.stopped && role !== 'master' && this.current === asked && this.topology === t)
          this.setMaster(null);
      } finally {
        this.ownWordCheck = false;
      }
      return;
    }
    const candidate = agreedMaster(t);
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
        // stopped, or the sentinels moved on while we asked: the newer observation decides
        if (this.stopped || agreedMaster(this.topology) !== candidate) return;
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

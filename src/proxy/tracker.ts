import type { Access } from '../redis/index.js';
import { EventEmitter } from 'node:events';
import type { Addr, QuorumEvent, Topology } from '../model/index.js';
import { agreedMaster, sentinelsOf } from '../model/index.js';
import type { Observer } from '../observer/index.js';
import { RedisLink, ReplyShapeError, roleReply } from '../redis/index.js';
import type { TrackerEffect, TrackerInput, TrackerPhase, TrackerState } from './tracker-state.js';
import { observation, routedTo, transition } from './tracker-state.js';

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
  /** The tracker's state changed: from, to (the owner logs it). */
  state: [TrackerPhase, TrackerPhase];
}

/** `ROLE` as the node answers it: its first element. */
async function roleOf(addr: Addr, access: Access, timeoutMs: number): Promise<string> {
  let link: RedisLink | null = null;
  try {
    link = new RedisLink(addr, { timeoutMs, access, connectionName: 'quorum-proxy' });
    // a reply of the wrong shape is no role: the node is not confirmed as master
    return roleReply('ROLE', await link.call('ROLE'));
  } catch (err) {
    return err instanceof ReplyShapeError ? 'unknown' : 'unreachable';
  } finally {
    await link?.close();
  }
}

/**
 * Follows the master that a quorum of sentinels agree on, confirmed by the node itself (`ROLE`
 * says master) before any write goes there. It rides on the observer, which subscribes to every
 * sentinel and looks again at once on `+switch-master`. The decisions are `transition`'s
 * (tracker-state.ts); this class feeds it observations, ROLE answers and timers, and carries out
 * what it decides.
 */
export class MasterTracker extends EventEmitter<TrackerEvents> {
  private state: TrackerState = { kind: 'no-master' };
  private lastSwitch: MasterSwitch | null = null;
  /** The earliest `+switch-master` seen for each new master, until the proxy switches to it. */
  private readonly switchEvents = new Map<Addr, number>();
  private sentinelsUnreachable = false;
  private topology: Topology | null = null;
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Waiting for the tracker to leave `confirming` (`start` resolves after the first decision). */
  private readonly decided = new Set<() => void>();
  private readonly onTopology = (t: Topology) => this.safely(() => this.observe(t));
  private readonly onEvent = (e: QuorumEvent) => {
    const to = e.type === '+switch-master' ? e.switch?.to : undefined;
    if (to && to !== this.master() && !this.switchEvents.has(to)) this.switchEvents.set(to, e.ms);
  };

  constructor(
    private readonly observer: Observer,
    private readonly access: Access,
    private readonly timeoutMs = 1000,
  ) {
    super();
  }

  /** Starts following; resolves after the first decision. */
  async start(): Promise<void> {
    this.observer.bus.on('topology', this.onTopology);
    this.observer.bus.on('event', this.onEvent);
    const t = this.observer.current() ?? (await this.observer.fresh());
    const decided = new Promise<void>((resolve) => this.decided.add(resolve));
    this.observe(t);
    if (this.state.kind !== 'confirming') this.wakeDecided();
    await decided;
  }

  stop(): void {
    this.observer.bus.off('topology', this.onTopology);
    this.observer.bus.off('event', this.onEvent);
    this.apply({ type: 'stop' });
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.wakeDecided();
  }

  master(): Addr | null {
    return routedTo(this.state);
  }

  /** Where the tracker is: following, confirming, own-word, no-master or stopped. */
  phase(): TrackerPhase {
    return this.state.kind;
  }

  last(): MasterSwitch | null {
    return this.lastSwitch;
  }

  latest(): Topology | null {
    return this.topology;
  }

  /** True while no sentinel answers (the last agreed master, if any, is kept on its own word). */
  onOwnWord(): boolean {
    return this.sentinelsUnreachable;
  }

  private observe(t: Topology): void {
    this.topology = t;
    this.emit('topology', t);
    const input = observation(sentinelsOf(t), agreedMaster(t), Date.now());
    this.sentinelsUnreachable = input.sentinelsSilent;
    this.apply(input);
  }

  /** Runs `fn`, telling the owner what it threw (a listener's error must not stop the tracker). */
  private safely(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.emit('problem', err instanceof Error ? err.message : String(err));
    }
  }

  private apply(input: TrackerInput): void {
    const { state, effects } = transition(this.state, input);
    this.setState(state);
    for (const effect of effects) this.carryOut(effect);
  }

  private setState(next: TrackerState): void {
    const before = this.state;
    this.state = next;
    // a confirmation is over once it led somewhere else, or the sentinels moved on to another
    if (
      before.kind === 'confirming' &&
      (next.kind !== 'confirming' || next.candidate !== before.candidate)
    )
      this.wakeDecided();
    if (before.kind !== next.kind) this.emit('state', before.kind, next.kind);
  }

  private wakeDecided(): void {
    for (const wake of this.decided) wake();
    this.decided.clear();
  }

  private carryOut(effect: TrackerEffect): void {
    switch (effect.type) {
      case 'ask-role':
        void roleOf(effect.addr, this.access, this.timeoutMs).then((role) =>
          this.safely(() =>
            this.apply({ type: 'role', addr: effect.addr, role, nowMs: Date.now() }),
          ),
        );
        return;
      case 'retry-in': {
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          this.safely(() => this.apply({ type: 'retry' }));
        }, effect.ms);
        this.timers.add(timer);
        return;
      }
      case 'switch':
        this.switched(effect.from, effect.to);
        return;
    }
  }

  private switched(from: Addr | null, to: Addr | null): void {
    const now = Date.now();
    const eventMs = to === null ? undefined : this.switchEvents.get(to);
    const change: MasterSwitch = {
      from,
      to,
      atMs: now,
      tookMs: eventMs === undefined ? null : now - eventMs,
    };
    if (to !== null) this.switchEvents.clear();
    this.lastSwitch = change;
    this.emit('master', change);
  }
}

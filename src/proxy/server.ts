import { EventEmitter } from 'node:events';
import type { Server, Socket } from 'node:net';
import { availableParallelism } from 'node:os';
import type { Addr, Topology } from '../model/index.js';
import { agreedMaster, formatAddr } from '../model/index.js';
import { ConnectQueue } from './connect-queue.js';
import { RelayAcceptor } from './acceptor.js';
import { boundPort, listenSide, openBackend } from './listeners.js';
import { createRelay } from './native-relay.js';
import type { Relay } from './relay.js';
import { JsRelay } from './relay.js';
import { readableReplicas } from './routes.js';
import { RoutingChanges, Sessions } from './sessions.js';
import type { TrackerPhase } from './tracker-state.js';
import type { MasterSwitch, MasterTracker } from './tracker.js';
import type { ProxyOptions, ProxyStats, Side } from './types.js';

/** What both `quorum proxy` and `quorum up` use unless told otherwise. */
export const PROXY_DEFAULTS = {
  /** A replica more than 1 MiB behind gets no reads. */
  maxLagBytes: 1024 * 1024,
  readFallback: 'master',
  connectTimeoutMs: 1000,
  relay: 'native',
  // HAProxy's default too: one thread per CPU
  relayThreads: Math.min(4, availableParallelism()),
} as const satisfies Partial<ProxyOptions>;

interface ProxyEvents {
  /** A line for the person running it (switches, refusals, errors). */
  log: [string];
  /** A lifecycle change: from, to. */
  state: [string, string];
}

/**
 * Two plain Redis endpoints in front of a Sentinel deployment: the write port goes to the master
 * the sentinels agree on (confirmed by ROLE), the read port round-robin to healthy replicas.
 * Bytes are relayed untouched both ways (MULTI, pub/sub, blocking commands, MONITOR, RESP3 and
 * AUTH work as on the node), by the compiled relay unless told otherwise. On a master switch
 * every session on the old master is closed at once, so clients reconnect and land on the new
 * one; a client that connects while no master is known is held, connected, until one is (or
 * `holdMs` passes).
 */
export class ProxyServer extends EventEmitter<ProxyEvents> {
  private readonly sessions = new Sessions();
  private readonly servers: Server[] = [];
  private readonly changes = new RoutingChanges();
  /** Clients accepted and still looking for a backend (held, or connecting). */
  private readonly pending = new Map<Socket, Side>();
  /** Per backend, the connects in flight, so that sessions join in the order they were accepted. */
  private readonly connecting = new ConnectQueue();
  private state: 'created' | 'listening' | 'closing' | 'closed' = 'created';
  private next = 0;
  private readable: Addr[] = [];
  private relay: Relay = new JsRelay();
  private totals = { write: 0, read: 0 };
  private refused = 0;
  private readonly startedAtMs = Date.now();
  private readonly bound = { write: 0, read: 0 };
  /** The relay's thread that accepts on the write port, when it does. */
  private acceptor: RelayAcceptor | null = null;
  private readonly onMaster = (change: MasterSwitch) => this.switched(change);
  private readonly onTopology = (t: Topology) => this.updateReadable(t);
  private readonly onProblem = (why: string) => this.emit('log', `following the sentinels: ${why}`);
  private readonly onTracker = (from: TrackerPhase, to: TrackerPhase) =>
    this.emit('log', `master tracker: ${from} -> ${to}`);

  private setState(next: ProxyServer['state']): void {
    this.emit('state', this.state, next);
    this.state = next;
  }

  constructor(
    private readonly tracker: MasterTracker,
    private readonly options: ProxyOptions,
  ) {
    super();
  }

  /** Listens on both ports; rejects with one sentence when a port is taken. */
  async listen(): Promise<void> {
    this.tracker.on('master', this.onMaster);
    this.tracker.on('topology', this.onTopology);
    this.tracker.on('problem', this.onProblem);
    this.tracker.on('state', this.onTracker);
    const { relay, note } = createRelay(
      this.options.relay ?? PROXY_DEFAULTS.relay,
      this.options.relayThreads ?? PROXY_DEFAULTS.relayThreads,
      { log: (line) => this.emit('log', line) },
    );
    this.relay = relay;
    if (note) this.emit('log', note);
    const latest = this.tracker.latest();
    if (latest) this.updateReadable(latest);
    for (const [side, port] of [
      ['write', this.options.writePort],
      ['read', this.options.readPort],
    ] as const) {
      const log = (line: string) => this.emit('log', line);
      const server = await listenSide(
        side,
        this.options.host,
        port,
        (client) => this.accept(side, client),
        log,
      ).catch(async (err: unknown) => {
        // the port that did bind is let go too: a proxy listens on both or on none
        await this.close();
        throw err;
      });
      this.servers.push(server);
      this.bound[side] = boundPort(server);
    }
    this.acceptOnRelay();
    this.setState('listening');
  }

  /** The compiled relay accepts on the write port itself (see RelayAcceptor). */
  private acceptOnRelay(): void {
    const server = this.servers[0];
    this.acceptor = !server
      ? null
      : RelayAcceptor.start(this.relay, server, this.options.connectTimeoutMs, {
          adopt: (backend, carried) => {
            this.totals.write++;
            return this.sessions.adopt('write', backend ?? this.tracker.master() ?? '', carried);
          },
          accept: (client) => this.accept('write', client),
          log: (line) => this.emit('log', line),
        });
    if (!this.acceptor) return;
    // closed: the relay's duplicate keeps the socket listening
    this.servers.shift();
    this.acceptor.retarget(this.tracker.master());
  }

  /** The ports actually bound (0 in the options picks free ones). */
  ports(): { write: number; read: number } {
    return { ...this.bound };
  }

  /** Stops accepting, closes every client (held ones too) and every session. */
  async close(): Promise<void> {
    if (this.state === 'closing' || this.state === 'closed') return;
    this.setState('closing');
    this.tracker.off('master', this.onMaster);
    this.tracker.off('topology', this.onTopology);
    this.tracker.off('problem', this.onProblem);
    this.tracker.off('state', this.onTracker);
    for (const client of this.pending.keys()) client.destroy();
    this.changes.changed();
    this.sessions.endWhere(() => true);
    this.relay.stop();
    await this.acceptor?.close();
    await Promise.all(
      this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
    );
    this.servers.length = 0;
    this.setState('closed');
  }

  stats(): ProxyStats {
    const bytes = this.relay.bytes();
    const count = this.sessions.count();
    const { write, read } = this.ports();
    return {
      write: {
        addr: formatAddr(this.options.host, write),
        master: this.tracker.master(),
        sessions: count.write,
        total: this.totals.write,
        held: [...this.pending.values()].filter((side) => side === 'write').length,
      },
      read: {
        addr: formatAddr(this.options.host, read),
        replicas: [...this.readable],
        sessions: count.read,
        total: this.totals.read,
        fallback: this.options.readFallback,
      },
      bytesIn: bytes.in,
      bytesOut: bytes.out,
      backends: count.backends,
      lastSwitch: this.tracker.last(),
      tracker: this.tracker.phase(),
      sentinelsUnreachable: this.tracker.onOwnWord(),
      refused: this.refused,
      startedAtMs: this.startedAtMs,
      relay: { kind: this.relay.kind, threads: this.relay.threads },
    };
  }

  private updateReadable(t: Topology): void {
    const before = new Set(this.readable);
    // judged against the master the sentinels agree on: during a switch the replicas already
    // follow the new master while the tracker still confirms it
    this.readable = readableReplicas(t, agreedMaster(t) ?? this.tracker.master(), this.options);
    const now = new Set(this.readable);
    // a replica that stopped qualifying (down, frozen, lagging, resyncing) loses its readers, and
    // readers that fell back to a master go back to replicas once one qualifies: they reconnect
    // and land on one that does
    this.sessions.endWhere((side, backend) => {
      if (side !== 'read') return false;
      const fellBack = !before.has(backend) && now.size > 0 && !now.has(backend);
      return (before.has(backend) && !now.has(backend)) || fellBack;
    });
    if (this.readable.length > 0) this.changes.changed();
  }

  private switched(change: MasterSwitch): void {
    this.emit(
      'log',
      change.to === null
        ? `no master to write to (was ${change.from ?? 'none'}); clients are held for up to ${String(this.options.holdMs)} ms`
        : `writes go to ${change.to}${change.from ? ` (was ${change.from})` : ''}${change.tookMs !== null ? `, ${String(change.tookMs)} ms after +switch-master` : ''}`,
    );
    // every session on the old master ends at once: its clients reconnect to the new one
    this.acceptor?.retarget(change.to);
    this.sessions.endWhere((side, backend) => side === 'write' && backend === change.from);
    const latest = this.tracker.latest();
    if (latest) this.updateReadable(latest);
    this.changes.changed();
  }

  private pickRead(): Addr | null {
    if (this.readable.length > 0) {
      const addr = this.readable[this.next++ % this.readable.length];
      return addr ?? null;
    }
    return this.options.readFallback === 'master' ? this.tracker.master() : null;
  }

  private accept(side: Side, client: Socket): void {
    if (this.state !== 'listening') {
      client.destroy();
      return;
    }
    this.totals[side]++;
    this.pending.set(client, side);
    client.on('error', () => undefined);
    void this.route(side, client).finally(() => this.pending.delete(client));
  }

  /** Whether `addr` is still where a client of `side` should go (the choice may be stale). */
  private stillRight(side: Side, addr: Addr): boolean {
    if (side === 'write') return this.tracker.master() === addr;
    return (
      this.readable.includes(addr) || (this.readable.length === 0 && this.tracker.master() === addr)
    );
  }

  /**
   * Finds the client a backend: the master (write) or a readable replica (read). With none, or
   * when the chosen one refuses (a master that just died), the client stays connected and waits
   * for the next routing change, up to `holdMs`; then it is closed.
   */
  private async route(side: Side, client: Socket): Promise<void> {
    const deadline = Date.now() + this.options.holdMs;
    const choose = () => (side === 'write' ? this.tracker.master() : this.pickRead());
    const gone = () => client.destroyed || this.state !== 'listening';
    while (!gone()) {
      const seen = this.changes.seen();
      const addr = choose();
      // a session accepted later may connect first: it joins only after the ones before it, so
      // that their first bytes reach the backend first, as on a wire
      const turn = addr === null ? null : this.connecting.enter(addr);
      let upstream: Socket | null = null;
      try {
        upstream = addr === null ? null : await openBackend(addr, this.options.connectTimeoutMs);
        await turn?.ready;
      } catch (err) {
        turn?.leave();
        throw err;
      }
      if (gone()) {
        turn?.leave();
        upstream?.destroy();
        client.destroy();
        return;
      }
      // a switch while connecting: that backend is no longer the right one, choose again
      if (addr !== null && upstream && !this.stillRight(side, addr)) {
        turn?.leave();
        upstream.destroy();
        continue;
      }
      if (addr !== null && upstream) {
        this.sessions.join(this.relay, side, addr, client, upstream);
        turn?.leave();
        return;
      }
      turn?.leave();
      if (Date.now() >= deadline) break;
      // the routing changed (a switch, new replicas) while this client tried: choose again now
      if (this.changes.seen() !== seen) continue;
      // held: read into Node's buffer (up to its high-water mark) so that a client that goes
      // away is seen; what it sent is written ahead of the rest when it gets a backend
      client.read(0);
      // a refused backend is asked again soon even without a change: it may be restarting
      await this.changes.next(
        client,
        Math.min(deadline, Date.now() + (addr === null ? this.options.holdMs : 250)),
      );
    }
    if (gone()) {
      client.destroy();
      return;
    }
    this.refused++;
    this.emit(
      'log',
      `no ${side === 'write' ? 'master' : 'replica'} to route a client to within ${String(this.options.holdMs)} ms; closed it`,
    );
    client.destroy();
  }
}

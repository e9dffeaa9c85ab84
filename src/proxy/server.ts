import { EventEmitter } from 'node:events';
import type { Server, Socket } from 'node:net';
import { connect, createServer } from 'node:net';
import { availableParallelism } from 'node:os';
import type { Addr, Topology } from '../model/index.js';
import { agreedMaster, formatAddr, parseAddr, UserError } from '../model/index.js';
import { createRelay } from './native-relay.js';
import type { CarriedSession, Relay, RelayKind } from './relay.js';
import { JsRelay } from './relay.js';
import type { RouteOptions } from './routes.js';
import { readableReplicas } from './routes.js';
import type { MasterSwitch, MasterTracker } from './tracker.js';

export interface ProxyOptions extends RouteOptions {
  host: string;
  writePort: number;
  readPort: number;
  /** How long a client waits, connected, for a master to route to (during a failover). */
  holdMs: number;
  /** How long connecting to a backend may take. */
  connectTimeoutMs: number;
  /**
   * Which relay moves the bytes: `native` (native/relay.c on threads of its own; JavaScript when
   * it is not built) or `js` (Node's event loop).
   * @default 'native'
   */
  relay?: RelayKind;
  /**
   * Threads of the native relay; sessions go to them in turn.
   * @default the number of CPUs, at most 4
   */
  relayThreads?: number;
}

export type Side = 'write' | 'read';

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

export interface BackendStats {
  addr: Addr;
  side: Side;
  sessions: number;
}

/** What `quorum status` and the dashboard show of the proxy. */
export interface ProxyStats {
  write: { addr: string; master: Addr | null; sessions: number; total: number; held: number };
  read: { addr: string; replicas: Addr[]; sessions: number; total: number; fallback: string };
  bytesIn: number;
  bytesOut: number;
  backends: BackendStats[];
  lastSwitch: MasterSwitch | null;
  /** Set while no sentinel answers and the last agreed master is kept on its own word. */
  sentinelsUnreachable: boolean;
  refused: number;
  startedAtMs: number;
  /** Which relay moves the bytes, and on how many threads (0: in Node's event loop). */
  relay: { kind: RelayKind; threads: number };
}

interface Session {
  side: Side;
  backend: Addr;
  carried: CarriedSession | null;
}

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
  private readonly sessions = new Set<Session>();
  private readonly servers: Server[] = [];
  private readonly waiting = new Set<() => void>();
  /** Clients accepted and still looking for a backend (held, or connecting). */
  private readonly pending = new Map<Socket, Side>();
  private state: 'created' | 'listening' | 'closing' | 'closed' = 'created';
  private next = 0;
  /** Counts routing changes, so that a route attempt can tell one happened while it connected. */
  private routing = 0;
  private readable: Addr[] = [];
  private relay: Relay = new JsRelay();
  private totals = { write: 0, read: 0 };
  private refused = 0;
  private readonly startedAtMs = Date.now();
  private readonly onMaster = (change: MasterSwitch) => this.switched(change);
  private readonly onTopology = (t: Topology) => this.updateReadable(t);
  private readonly onProblem = (why: string) => this.emit('log', `following the sentinels: ${why}`);

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
    const { relay, note } = createRelay(
      this.options.relay ?? PROXY_DEFAULTS.relay,
      this.options.relayThreads ?? PROXY_DEFAULTS.relayThreads,
    );
    this.relay = relay;
    if (note) this.emit('log', note);
    const latest = this.tracker.latest();
    if (latest) this.updateReadable(latest);
    for (const [side, port] of [
      ['write', this.options.writePort],
      ['read', this.options.readPort],
    ] as const) {
      // half-open: a client that is done sending still gets the answers to what it sent
      const server = createServer({ noDelay: true, allowHalfOpen: true }, (client) =>
        this.accept(side, client),
      );
      await new Promise<void>((resolve, reject) => {
        server.once('error', (err: NodeJS.ErrnoException) => {
          reject(
            new UserError(
              err.code === 'EADDRINUSE'
                ? `the proxy's ${side} port ${String(port)} is in use; pick another with --${side}-port`
                : `the proxy cannot listen on ${this.options.host}:${String(port)}: ${err.message}`,
            ),
          );
        });
        server.listen(port, this.options.host, () => resolve());
      }).catch(async (err: unknown) => {
        // the port that did bind is let go too: a proxy listens on both or on none
        await this.close();
        throw err;
      });
      server.removeAllListeners('error');
      // later errors (out of file descriptors on accept, say) are logged, never thrown
      server.on('error', (err) => this.emit('log', `${side} port: ${err.message}`));
      this.servers.push(server);
    }
    this.setState('listening');
  }

  /** The ports actually bound (0 in the options picks free ones). */
  ports(): { write: number; read: number } {
    const port = (s: Server | undefined) => {
      const a = s?.address();
      return a && typeof a === 'object' ? a.port : 0;
    };
    return { write: port(this.servers[0]), read: port(this.servers[1]) };
  }

  /** Stops accepting, closes every client (held ones too) and every session. */
  async close(): Promise<void> {
    if (this.state === 'closing' || this.state === 'closed') return;
    this.setState('closing');
    this.tracker.off('master', this.onMaster);
    this.tracker.off('topology', this.onTopology);
    this.tracker.off('problem', this.onProblem);
    for (const client of this.pending.keys()) client.destroy();
    this.wakeAll();
    for (const s of this.sessions) this.end(s);
    this.relay.stop();
    await Promise.all(
      this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
    );
    this.servers.length = 0;
    this.setState('closed');
  }

  stats(): ProxyStats {
    const bytes = this.relay.bytes();
    const per = new Map<string, BackendStats>();
    const count = { write: 0, read: 0 };
    for (const s of this.sessions) {
      count[s.side]++;
      const key = `${s.side} ${s.backend}`;
      const b = per.get(key) ?? { addr: s.backend, side: s.side, sessions: 0 };
      b.sessions++;
      per.set(key, b);
    }
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
      backends: [...per.values()],
      lastSwitch: this.tracker.last(),
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
    for (const s of this.sessions) {
      if (s.side !== 'read') continue;
      // a replica that stopped qualifying (down, frozen, lagging, resyncing) loses its readers,
      // and readers that fell back to a master go back to replicas once one qualifies: they
      // reconnect and land on one that does
      const fellBack = !before.has(s.backend) && now.size > 0 && !now.has(s.backend);
      if ((before.has(s.backend) && !now.has(s.backend)) || fellBack) this.end(s);
    }
    if (this.readable.length > 0) this.wakeAll();
  }

  private switched(change: MasterSwitch): void {
    this.emit(
      'log',
      change.to === null
        ? `no master to write to (was ${change.from ?? 'none'}); clients are held for up to ${String(this.options.holdMs)} ms`
        : `writes go to ${change.to}${change.from ? ` (was ${change.from})` : ''}${change.tookMs !== null ? `, ${String(change.tookMs)} ms after +switch-master` : ''}`,
    );
    // every session on the old master ends at once: its clients reconnect to the new one
    for (const s of this.sessions) {
      if (s.side === 'write' && s.backend === change.from) this.end(s);
    }
    const latest = this.tracker.latest();
    if (latest) this.updateReadable(latest);
    this.wakeAll();
  }

  private pickRead(): Addr | null {
    if (this.readable.length > 0) {
      const addr = this.readable[this.next++ % this.readable.length];
      return addr ?? null;
    }
    return this.options.readFallback === 'master' ? this.tracker.master() : null;
  }

  /** Resolves at the next routing change (a master switch, new readable replicas) or the deadline. */
  private nextChange(client: Socket, deadline: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.waiting.delete(wake);
        client.off('close', wake);
        resolve();
      };
      const timer = setTimeout(wake, Math.max(0, deadline - Date.now()));
      this.waiting.add(wake);
      client.once('close', wake);
    });
  }

  private wakeAll(): void {
    this.routing++;
    for (const wake of [...this.waiting]) wake();
  }

  private accept(side: Side, client: Socket): void {
    if (this.state !== 'listening') {
      client.destroy();
      return;
    }
    this.totals[side]++;
    this.pending.set(client, side);
    // nothing is read from the client until it has a backend: its first bytes wait in the kernel
    client.pause();
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
      const routing = this.routing;
      const addr = choose();
      const upstream = addr === null ? null : await this.open(addr);
      if (gone()) {
        upstream?.destroy();
        client.destroy();
        return;
      }
      // a switch while connecting: that backend is no longer the right one, choose again
      if (addr !== null && upstream && !this.stillRight(side, addr)) {
        upstream.destroy();
        continue;
      }
      if (addr !== null && upstream) {
        this.join(side, addr, client, upstream);
        return;
      }
      if (Date.now() >= deadline) break;
      // the routing changed (a switch, new replicas) while this client tried: choose again now
      if (this.routing !== routing) continue;
      // a refused backend is asked again soon even without a change: it may be restarting
      await this.nextChange(
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

  private open(addr: Addr): Promise<Socket | null> {
    const hp = parseAddr(addr);
    if (!hp) return Promise.resolve(null);
    return new Promise((resolve) => {
      const upstream = connect({
        host: hp.host,
        port: hp.port,
        noDelay: true,
        allowHalfOpen: true,
      });
      // nothing is read from the backend before the relay takes it over
      upstream.pause();
      const timer = setTimeout(() => upstream.destroy(), this.options.connectTimeoutMs);
      upstream.once('connect', () => {
        clearTimeout(timer);
        upstream.removeAllListeners('error');
        resolve(upstream);
      });
      upstream.once('error', () => {
        clearTimeout(timer);
        resolve(null);
      });
      upstream.once('close', () => resolve(null));
    });
  }

  private join(side: Side, backend: Addr, client: Socket, upstream: Socket): void {
    const session: Session = { side, backend, carried: null };
    this.sessions.add(session);
    session.carried = this.relay.carry(client, upstream, () => this.forget(session));
  }

  /** Takes a session off the books (once); false when it already was. */
  private forget(session: Session): boolean {
    return this.sessions.delete(session);
  }

  /** Ends a session at once, both sides (a master switch, a replica that stopped qualifying). */
  private end(session: Session): void {
    if (!this.forget(session)) return;
    session.carried?.end();
  }
}

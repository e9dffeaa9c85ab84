import { closeSync } from 'node:fs';
import type { Socket } from 'node:net';
import { isIP } from 'node:net';
import type { Addr } from '../model/index.js';
import { parseAddr } from '../model/index.js';
import type { RelayThread, RelayThreadClass } from './native-addon.js';
import { fdOf, nativeRelay, passBuffered, socketOf } from './native-addon.js';
import type { AcceptHooks, AcceptingRelay, CarriedSession, Relay, RelayKind } from './relay.js';
import { JsRelay, LINGER_MS } from './relay.js';

/**
 * The relay on threads of its own (native/): the bytes of a session never enter JavaScript.
 * Node's event loop routes and connects the clients of the read port and those the write port's
 * accepting thread hands back; that thread connects the rest itself (acceptOn). Each backend's
 * sessions go to one thread; backends go to the threads in turn.
 */
class NativeRelay implements AcceptingRelay {
  readonly kind = 'native';
  readonly threads: number;
  private readonly relays: RelayThread[];
  private readonly onEnd: Map<number, () => void>[];
  /** Threads that stopped on an error: they take no more sessions. */
  private readonly failed = new Set<number>();
  private readonly fallback = new JsRelay();
  /** Which thread carries the sessions to each backend (`host:port`). */
  private readonly byBackend = new Map<string, number>();
  private turn = 0;
  private stopped = false;
  /** The thread that accepts on the write port, and whom it tells. */
  private acceptor: { index: number; hooks: AcceptHooks } | null = null;

  constructor(
    cls: RelayThreadClass,
    threads: number,
    private readonly log: (line: string) => void = () => undefined,
  ) {
    this.onEnd = Array.from({ length: Math.max(1, threads) }, () => new Map<number, () => void>());
    this.threads = this.onEnd.length;
    this.relays = this.onEnd.map((ends, index) => {
      const ended = (
        ids: number[],
        failure: string | undefined,
        started: number[] = [],
        back: number[] = [],
      ) => {
        const acceptor = this.acceptor;
        try {
          // first the port: whatever else throws, it is accepted on again
          if (failure !== undefined && acceptor?.index === index) {
            this.acceptor = null;
            acceptor.hooks.lost(this.relays[index]?.listenFd() ?? -1);
          }
          if (failure !== undefined) {
            this.failed.add(index);
            const rest =
              this.failed.size < this.relays.length
                ? 'new ones go to the other threads'
                : 'new ones are relayed in JavaScript';
            this.log(`${failure}; its sessions ended, ${rest}`);
          }
        } finally {
          this.tookOver(index, started, back, acceptor?.index === index ? acceptor.hooks : null);
          for (const id of ids) {
            const done = ends.get(id);
            ends.delete(id);
            done?.();
          }
        }
      };
      return new cls(ended, LINGER_MS);
    });
  }

  /**
   * What thread `index` started on its own, and the clients it handed back (each descriptor is
   * wrapped once, or closed: none is left open and unowned, whatever throws).
   */
  private tookOver(
    index: number,
    started: number[],
    back: number[],
    hooks: AcceptHooks | null,
  ): void {
    const thread = this.relays[index];
    const ends = this.onEnd[index];
    const fds = [...back];
    try {
      for (let i = 0; i + 1 < started.length; i += 2) {
        const id = started[i] ?? 0;
        if (!thread || !ends || !hooks) continue;
        ends.set(id, hooks.started(started[i + 1] ?? 0, { end: () => thread.end(id) }));
      }
      for (let fd = fds.shift(); fd !== undefined; fd = fds.shift()) {
        const client = this.stopped || !hooks ? null : socketOf(fd);
        if (client) hooks?.handedBack(client);
        else if (this.stopped || !hooks) closeSync(fd);
      }
    } finally {
      for (const fd of fds) closeSync(fd);
    }
  }

  acceptOn(listenFd: number, connectTimeoutMs: number, hooks: AcceptHooks): boolean {
    const index = this.relays.findIndex((_, i) => !this.failed.has(i));
    const thread = this.relays[index];
    if (this.stopped || this.acceptor || !thread) return false;
    try {
      thread.listen(listenFd, connectTimeoutMs);
    } catch {
      return false;
    }
    this.acceptor = { index, hooks };
    return true;
  }

  target(addr: Addr | null): number | null {
    const acceptor = this.acceptor;
    const thread = acceptor ? this.relays[acceptor.index] : undefined;
    if (!acceptor || !thread) return null;
    const hp = addr === null ? null : parseAddr(addr);
    // a name, not an address: the proxy routes those clients itself
    if (!hp || isIP(hp.host) === 0) return thread.target();
    // every session to the master on the accepting thread, whoever started it
    this.byBackend.set(`${hp.host}:${String(hp.port)}`, acceptor.index);
    try {
      return thread.target(hp.host, hp.port);
    } catch {
      // an address the thread cannot connect to (an IPv6 zone, say): the proxy routes them
      return thread.target();
    }
  }

  /**
   * The thread that carries every session to `backend`, chosen in turn when the backend is first
   * seen; null when no thread works. One thread per backend keeps the order of a wire: its epoll
   * reports the sessions' bytes in the order they came, where two threads race to send them (new
   * clients' blocked pops reached Redis out of order with two threads, never with one).
   */
  private threadFor(backend: string): number | null {
    const known = this.byBackend.get(backend);
    if (known !== undefined && !this.failed.has(known)) return known;
    for (let tried = 0; tried < this.relays.length; tried++) {
      const index = this.turn++ % this.relays.length;
      if (this.failed.has(index)) continue;
      this.byBackend.set(backend, index);
      return index;
    }
    return null;
  }

  carry(client: Socket, backend: Socket, onEnd: () => void): CarriedSession {
    const clientFd = fdOf(client);
    const backendFd = fdOf(backend);
    if (this.stopped || clientFd === null || backendFd === null)
      return this.fallback.carry(client, backend, onEnd);
    passBuffered(client, backend);
    passBuffered(backend, client);
    if (client.writableLength > 0 || backend.writableLength > 0)
      return this.afterDrain(client, backend, onEnd);
    const index = this.threadFor(`${backend.remoteAddress ?? ''}:${String(backend.remotePort)}`);
    const thread = index === null ? undefined : this.relays[index];
    const ends = index === null ? undefined : this.onEnd[index];
    if (!thread || !ends) return this.fallback.carry(client, backend, onEnd);
    let id: number;
    try {
      id = thread.add(clientFd, backendFd);
    } catch {
      // out of descriptors or memory: this client goes, the proxy stays
      client.destroy();
      backend.destroy();
      queueMicrotask(onEnd);
      return { end: () => undefined };
    }
    ends.set(id, onEnd);
    // the relay holds its own duplicates now; Node lets go of its descriptors without a shutdown
    client.destroy();
    backend.destroy();
    return { end: () => thread.end(id) };
  }

  /**
   * What was just passed on is still in Node's queue: the sockets change hands once it left (or
   * the session ends here when either side goes away first).
   */
  private afterDrain(client: Socket, backend: Socket, onEnd: () => void): CarriedSession {
    let carried: CarriedSession | null = null;
    let over = false;
    const detach = () => {
      for (const s of [client, backend]) {
        s.off('drain', handOver);
        s.off('close', abandon);
      }
    };
    const abandon = () => {
      detach();
      if (over) return;
      over = true;
      client.destroy();
      backend.destroy();
      onEnd();
    };
    const handOver = () => {
      if (client.writableLength > 0 || backend.writableLength > 0) return;
      detach();
      if (!over) carried = this.carry(client, backend, onEnd);
    };
    for (const s of [client, backend]) {
      s.on('drain', handOver);
      s.once('close', abandon);
    }
    return { end: () => (carried ? carried.end() : abandon()) };
  }

  bytes(): { in: number; out: number } {
    const own = this.fallback.bytes();
    for (const thread of this.relays) {
      const [fromClients = 0, fromBackends = 0] = thread.stats();
      own.in += fromClients;
      own.out += fromBackends;
    }
    return own;
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.fallback.stop();
    for (const [i, thread] of this.relays.entries()) {
      thread.stop();
      const ends = this.onEnd[i];
      if (!ends) continue;
      for (const done of ends.values()) done();
      ends.clear();
    }
  }
}

/**
 * The relay a proxy uses: the compiled one unless JavaScript is asked for; when it is asked for
 * but not built, the JavaScript one with a sentence saying so.
 */
export function createRelay(
  kind: RelayKind,
  threads: number,
  options: {
    /** The compiled relay to load. @default native/build/relay.node */
    addon?: string;
    /** Where a relay thread that fails says so (one sentence). @default nowhere */
    log?: (line: string) => void;
  } = {},
): { relay: Relay; note: string | null } {
  if (kind === 'js') return { relay: new JsRelay(), note: null };
  const cls = nativeRelay(options.addon);
  if (typeof cls === 'string')
    return {
      relay: new JsRelay(),
      note: `relaying in JavaScript, slower: ${cls}`,
    };
  return { relay: new NativeRelay(cls, threads, options.log), note: null };
}

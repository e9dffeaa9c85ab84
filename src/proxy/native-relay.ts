import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { CarriedSession, Relay, RelayKind } from './relay.js';
import { JsRelay, LINGER_MS } from './relay.js';

/** One relay thread of the compiled relay (native/). */
interface RelayThread {
  /** Duplicates both descriptors and carries the session; returns its id. */
  add(clientFd: number, backendFd: number): number;
  end(id: number): void;
  /** [bytes from clients, bytes from backends] */
  stats(): number[];
  stop(): void;
}

/** `onEnded` hears which sessions ended, and once why the thread stopped when it failed. */
type RelayThreadClass = new (
  onEnded: (ids: number[], failure?: string) => void,
  lingerMs: number,
) => RelayThread;

/** Where `make build` (scripts/build-native.sh) puts the compiled relay. */
const ADDON = fileURLToPath(new URL('../../native/build/relay.node', import.meta.url));

/** Each addon file's class, or why it cannot be used (loaded once). */
const loaded = new Map<string, RelayThreadClass | string>();

function isRelayThreadClass(value: unknown): value is RelayThreadClass {
  return typeof value === 'function' && value.name === 'Relay';
}

/** The compiled relay's class, or why it cannot be used (one sentence). */
function nativeRelay(addon = ADDON): RelayThreadClass | string {
  const known = loaded.get(addon);
  if (known !== undefined) return known;
  let found: RelayThreadClass | string;
  if (!existsSync(addon)) {
    found = `${addon} is not built (make build compiles it)`;
  } else {
    try {
      const binding: unknown = createRequire(import.meta.url)(addon);
      const cls: unknown =
        typeof binding === 'object' && binding !== null ? Reflect.get(binding, 'Relay') : undefined;
      found = isRelayThreadClass(cls) ? cls : `${addon} is not quorum's relay`;
    } catch (err) {
      found = `${addon} does not load: ${err instanceof Error ? err.message : String(err)}`;
    }
  }
  loaded.set(addon, found);
  return found;
}

/**
 * The socket's file descriptor. Node does not document it, but every TCP handle on Unix has had
 * `fd` for a decade; null where it is missing, and the session is relayed in JavaScript instead.
 */
function fdOf(socket: Socket): number | null {
  const handle: unknown = Reflect.get(socket, '_handle');
  if (typeof handle !== 'object' || handle === null) return null;
  const fd: unknown = Reflect.get(handle, 'fd');
  return typeof fd === 'number' && fd >= 0 ? fd : null;
}

/** Moves what the proxy already read from `from` (a client that spoke while held) to `to`. */
function passBuffered(from: Socket, to: Socket): void {
  for (;;) {
    const chunk: unknown = from.read();
    if (!Buffer.isBuffer(chunk)) return;
    to.write(chunk);
  }
}

/**
 * The relay on threads of its own (native/): Node's event loop only accepts, routes and
 * connects; the bytes of a session never enter JavaScript. Each backend's sessions go to one
 * thread; backends go to the threads in turn.
 */
class NativeRelay implements Relay {
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

  constructor(
    cls: RelayThreadClass,
    threads: number,
    private readonly log: (line: string) => void = () => undefined,
  ) {
    this.onEnd = Array.from({ length: Math.max(1, threads) }, () => new Map<number, () => void>());
    this.threads = this.onEnd.length;
    this.relays = this.onEnd.map((ends, index) => {
      const ended = (ids: number[], failure?: string) => {
        if (failure !== undefined) {
          this.failed.add(index);
          const rest =
            this.failed.size < this.relays.length
              ? 'new ones go to the other threads'
              : 'new ones are relayed in JavaScript';
          this.log(`${failure}; its sessions ended, ${rest}`);
        }
        for (const id of ids) {
          const done = ends.get(id);
          ends.delete(id);
          done?.();
        }
      };
      return new cls(ended, LINGER_MS);
    });
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

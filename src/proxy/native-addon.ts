// The compiled relay (native/) as JavaScript sees it: its class, loaded once, and the sockets
// it takes and gives back.
import { closeSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Server, SocketConstructorOpts } from 'node:net';
import { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';

/** One relay thread of the compiled relay (native/). */
export interface RelayThread {
  /** Duplicates both descriptors and carries the session; returns its id. */
  add(clientFd: number, backendFd: number): number;
  end(id: number): void;
  /** [bytes from clients, bytes from backends] */
  stats(): number[];
  stop(): void;
  /** Accepts on a duplicate of the listening socket `fd` from now on (native/accept.c). */
  listen(fd: number, connectTimeoutMs: number): void;
  /** Where accepted clients go (none: back to JavaScript); returns the target's generation. */
  target(host?: string, port?: number): number;
  /** A duplicate of the listening socket it accepts on, -1 when none. */
  listenFd(): number;
}

/**
 * `onEvents` hears which sessions ended, once why the thread stopped when it failed, the
 * sessions it started on its own (id, target generation pairs) and the clients it handed back
 * (their descriptors, now JavaScript's).
 */
export type RelayThreadClass = new (
  onEvents: (ids: number[], failure: string | undefined, started: number[], back: number[]) => void,
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
export function nativeRelay(addon = ADDON): RelayThreadClass | string {
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
 * The file descriptor of a socket or a listening server. Node does not document it, but every TCP
 * handle on Unix has had `fd` for a decade; null where it is missing, and the session is relayed
 * (or the port accepted) in JavaScript instead.
 */
export function fdOf(owner: Socket | Server): number | null {
  const handle: unknown = Reflect.get(owner, '_handle');
  if (typeof handle !== 'object' || handle === null) return null;
  const fd: unknown = Reflect.get(handle, 'fd');
  return typeof fd === 'number' && fd >= 0 ? fd : null;
}

/** A socket for a client descriptor the relay handed back; null when it is not one. */
export function socketOf(fd: number): Socket | null {
  // paused as the proxy's listeners pause a client: nothing of it is read until it has a
  // backend, so its first bytes reach Redis through the relay, in the order they came
  const options: SocketConstructorOpts & { pauseOnCreate: boolean } = {
    fd,
    readable: true,
    writable: true,
    allowHalfOpen: true,
    pauseOnCreate: true,
  };
  try {
    return new Socket(options).setNoDelay(true);
  } catch {
    closeSync(fd);
    return null;
  }
}

/** Moves what the proxy already read from `from` (a client that spoke while held) to `to`. */
export function passBuffered(from: Socket, to: Socket): void {
  for (;;) {
    const chunk: unknown = from.read();
    if (!Buffer.isBuffer(chunk)) return;
    to.write(chunk);
  }
}

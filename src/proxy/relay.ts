import type { Socket } from 'node:net';
import type { Addr } from '../model/index.js';

/** Which relay moves a session's bytes: the compiled one (native/) or Node's streams. */
export type RelayKind = 'native' | 'js';

/** A session the relay carries: both sockets are its own from then on. */
export interface CarriedSession {
  /** Ends both sides at once (a master switch, a replica that stopped qualifying). */
  end(): void;
}

/** Moves bytes both ways between a client and its backend, untouched, with backpressure. */
export interface Relay {
  readonly kind: RelayKind;
  /** Threads of its own that move the bytes (0: Node's event loop does). */
  readonly threads: number;
  /**
   * Takes over two connected sockets; `onEnd` runs once, when the session is over (either side
   * closed, or `end()`). Bytes the proxy already read from either socket are delivered first.
   */
  carry(client: Socket, backend: Socket, onEnd: () => void): CarriedSession;
  /** Bytes read from clients (`in`) and from backends (`out`) since the relay started. */
  bytes(): { in: number; out: number };
  /** Ends every session; the relay takes no more. */
  stop(): void;
}

/** What a relay that accepts on a port itself tells the proxy. */
export interface AcceptHooks {
  /**
   * A session it started on its own, to the target of generation `gen` (what `target` returned);
   * returns what runs when the session is over.
   */
  started(gen: number, carried: CarriedSession): () => void;
  /** A client it could not route (no target, refused, too slow): the proxy routes it. */
  handedBack(client: Socket): void;
  /** Accepting stopped (its thread failed): the proxy accepts on this listening socket again. */
  lost(listenFd: number): void;
}

/**
 * A relay that can accept on a listening socket itself and connect each client to a target, as
 * HAProxy does: no turn of Node's event loop between a client and its backend (native/accept.c).
 */
export interface AcceptingRelay extends Relay {
  /** Takes over accepting on `listenFd`; false when it cannot (the proxy keeps accepting). */
  acceptOn(listenFd: number, connectTimeoutMs: number, hooks: AcceptHooks): boolean;
  /**
   * Where clients accepted from now on go (null: back to the proxy); sessions to the earlier
   * target end. Returns the target's generation, null when it cannot take it.
   */
  target(addr: Addr | null): number | null;
}

/** Whether `relay` accepts on a port itself. */
export function isAccepting(relay: Relay): relay is AcceptingRelay {
  return 'acceptOn' in relay && 'target' in relay;
}

/** How long a side whose peer went away may take to read what is still queued for it. */
export const LINGER_MS = 5000;

/**
 * Forwards every chunk from `from` to `to` as it arrives, with backpressure: when `to` cannot
 * take more, `from` stops reading until `to` drains, so a client that stops reading holds the
 * backend back instead of growing memory.
 */
function forward(from: Socket, to: Socket): void {
  const resume = () => from.resume();
  from.on('data', (chunk: Buffer) => {
    if (!to.write(chunk)) {
      from.pause();
      to.once('drain', resume);
    }
  });
  from.once('end', () => to.end());
}

/**
 * The relay in Node's own event loop: portable, and what runs when the compiled relay is not
 * built, but every chunk costs a call into JavaScript (measured at 0.6-0.9 of HAProxy's
 * throughput here, see docs/benchmarks.md).
 */
export class JsRelay implements Relay {
  readonly kind = 'js';
  readonly threads = 0;
  private readonly open = new Set<Socket>();
  private closedIn = 0;
  private closedOut = 0;

  carry(client: Socket, backend: Socket, onEnd: () => void): CarriedSession {
    this.open.add(client);
    backend.on('error', () => undefined);
    client.on('error', () => undefined);
    forward(client, backend);
    forward(backend, client);
    let over = false;
    // when one side goes away, the other still gets what is queued for it (the tail of a reply,
    // the +OK of a QUIT), then its end; it is cut after LINGER_MS if it does not read
    const linger = (other: Socket) => () => {
      if (over) return;
      over = true;
      this.open.delete(client);
      this.closedIn += client.bytesRead;
      this.closedOut += client.bytesWritten;
      onEnd();
      if (other.destroyed) return;
      other.end();
      const timer = setTimeout(() => other.destroy(), LINGER_MS);
      timer.unref();
      other.once('close', () => clearTimeout(timer));
    };
    client.once('close', linger(backend));
    backend.once('close', linger(client));
    client.resume();
    backend.resume();
    return {
      end: () => {
        client.destroy();
        backend.destroy();
      },
    };
  }

  bytes(): { in: number; out: number } {
    let bytesIn = this.closedIn;
    let bytesOut = this.closedOut;
    for (const client of this.open) {
      bytesIn += client.bytesRead;
      bytesOut += client.bytesWritten;
    }
    return { in: bytesIn, out: bytesOut };
  }

  stop(): void {
    for (const client of this.open) client.destroy();
  }
}

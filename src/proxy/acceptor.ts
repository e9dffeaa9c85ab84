import { closeSync } from 'node:fs';
import type { Server, Socket } from 'node:net';
import type { Addr } from '../model/index.js';
import { acceptOnFd } from './listeners.js';
import { fdOf } from './native-addon.js';
import type { AcceptingRelay, CarriedSession, Relay } from './relay.js';
import { isAccepting } from './relay.js';

/** What the accepting thread needs of the proxy. */
interface ProxySide {
  /** Counts a session the thread started to `backend` (null: unknown); returns its end. */
  adopt(backend: Addr | null, carried: CarriedSession): () => void;
  /** Routes a client the thread handed back (no master, refused, too slow). */
  accept(client: Socket): void;
  /** Where a listening error goes. */
  log(line: string): void;
}

/**
 * The write port accepted by a thread of the compiled relay, which connects each client to the
 * master itself, as HAProxy does: a new client's first bytes reach Redis with no turn of Node's
 * event loop in between (and while it is busy). It keeps which master each generation of its
 * target was, so that the sessions it reports are counted against the right one.
 */
export class RelayAcceptor {
  private readonly targets = new Map<number, Addr>();
  /** Where JavaScript accepts again after the thread stopped. */
  private fallback: Server | null = null;
  private closed = false;

  private constructor(private readonly relay: AcceptingRelay) {}

  /**
   * Hands `server`'s listening socket to `relay` and closes `server` (the relay keeps its own
   * duplicate); null, and `server` untouched, when the relay cannot take it.
   */
  static start(
    relay: Relay,
    server: Server,
    connectTimeoutMs: number,
    proxy: ProxySide,
  ): RelayAcceptor | null {
    const fd = fdOf(server);
    if (!isAccepting(relay) || fd === null) return null;
    const acceptor = new RelayAcceptor(relay);
    const taken = relay.acceptOn(fd, connectTimeoutMs, {
      started: (gen, carried) => proxy.adopt(acceptor.targets.get(gen) ?? null, carried),
      handedBack: (client) => proxy.accept(client),
      lost: (listenFd) => {
        if (listenFd < 0) return;
        if (acceptor.closed) {
          closeSync(listenFd);
          return;
        }
        acceptor.fallback = acceptOnFd(
          listenFd,
          (client) => proxy.accept(client),
          (line) => proxy.log(line),
        );
      },
    });
    if (!taken) return null;
    server.close();
    return acceptor;
  }

  /** Stops the accepting JavaScript took over, if it did (the relay's own stops with it). */
  async close(): Promise<void> {
    this.closed = true;
    const fallback = this.fallback;
    if (fallback) await new Promise<void>((resolve) => fallback.close(() => resolve()));
  }

  /** Where writes go now; the thread ends the sessions to the earlier master. */
  retarget(master: Addr | null): void {
    const gen = this.relay.target(master);
    if (gen === null || master === null) return;
    this.targets.set(gen, master);
    // sessions of earlier generations have ended: a few are kept for late news of them
    for (const old of this.targets.keys()) if (this.targets.size > 8) this.targets.delete(old);
  }
}

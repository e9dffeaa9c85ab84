import type { Socket } from 'node:net';
import type { Addr } from '../model/index.js';
import type { CarriedSession, Relay } from './relay.js';
import type { BackendStats, Side } from './types.js';

interface Session {
  side: Side;
  backend: Addr;
  carried: CarriedSession | null;
}

/** The proxy's sessions once routed: handed to the relay, counted until they end. */
export class Sessions {
  private readonly open = new Set<Session>();

  /** Hands a routed client and its backend connection to `relay`. */
  join(relay: Relay, side: Side, backend: Addr, client: Socket, upstream: Socket): void {
    const session: Session = { side, backend, carried: null };
    this.open.add(session);
    session.carried = relay.carry(client, upstream, () => this.open.delete(session));
  }

  /**
   * A session the relay started on its own (it accepted the client); returns what runs when it
   * is over.
   */
  adopt(side: Side, backend: Addr, carried: CarriedSession): () => void {
    const session: Session = { side, backend, carried };
    this.open.add(session);
    return () => this.open.delete(session);
  }

  /** Ends at once, both sides, every session `which` picks (a master switch, a stale replica). */
  endWhere(which: (side: Side, backend: Addr) => boolean): void {
    for (const s of this.open) {
      if (!which(s.side, s.backend)) continue;
      this.open.delete(s);
      s.carried?.end();
    }
  }

  /** Sessions per side, and per side and backend. */
  count(): { write: number; read: number; backends: BackendStats[] } {
    const per = new Map<string, BackendStats>();
    const count = { write: 0, read: 0 };
    for (const s of this.open) {
      count[s.side]++;
      const key = `${s.side} ${s.backend}`;
      const b = per.get(key) ?? { addr: s.backend, side: s.side, sessions: 0 };
      b.sessions++;
      per.set(key, b);
    }
    return { ...count, backends: [...per.values()] };
  }
}

/**
 * Clients waiting for a routing change (a master switch, new readable replicas), and a count of
 * the changes, so that a route attempt can tell one happened while it connected.
 */
export class RoutingChanges {
  private readonly waiting = new Set<() => void>();
  private changes = 0;

  /** How many changes there were so far. */
  seen(): number {
    return this.changes;
  }

  /** Resolves at the next change, when `client` closes, or at `deadline`. */
  next(client: Socket, deadline: number): Promise<void> {
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

  /** The routing changed: every waiting client chooses again. */
  changed(): void {
    this.changes++;
    for (const wake of [...this.waiting]) wake();
  }
}

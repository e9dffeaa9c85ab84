import type { Addr } from '../model/index.js';
import type { RelayKind } from './relay.js';
import type { RouteOptions } from './routes.js';
import type { TrackerPhase } from './tracker-state.js';
import type { MasterSwitch } from './tracker.js';

export interface ProxyOptions extends RouteOptions {
  host: string;
  writePort: number;
  readPort: number;
  /** How long a client waits, connected, for a master to route to (during a failover). */
  holdMs: number;
  /** How long connecting to a backend may take. */
  connectTimeoutMs: number;
  /**
   * Which relay moves the bytes: `native` (native/, on threads of its own; JavaScript when
   * it is not built) or `js` (Node's event loop).
   * @default 'native'
   */
  relay?: RelayKind;
  /**
   * Threads of the native relay. Every session to one backend is on the same thread, so that
   * bytes reach it in the order they came; backends go to the threads in turn.
   * @default the number of CPUs, at most 4
   */
  relayThreads?: number;
}

export type Side = 'write' | 'read';

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
  /**
   * Where the master tracker is: following, confirming, own-word, no-master or stopped; absent
   * from the answer of a supervisor started by an earlier version of quorum.
   */
  tracker?: TrackerPhase;
  /** Set while no sentinel answers and the last agreed master is kept on its own word. */
  sentinelsUnreachable: boolean;
  refused: number;
  startedAtMs: number;
  /** Which relay moves the bytes, and on how many threads (0: in Node's event loop). */
  relay: { kind: RelayKind; threads: number };
}

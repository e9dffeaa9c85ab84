import { formatBytes } from '../../src/model/format.js';
import type { ProcessInfo, ProxyStats } from '../../src/server/contract.js';
import type { Side } from './partition.js';

/** What a graph node shows; rendering is separate (components/TopologyGraph.tsx). */
export interface GraphNode {
  id: string;
  kind: 'redis' | 'sentinel' | 'proxy';
  name: string | null;
  addr: string;
  role: 'master' | 'replica' | 'sentinel' | 'proxy' | 'unknown';
  /** up, down, frozen (a supervised process stopped with SIGSTOP), stopped (by request) */
  state: 'up' | 'down' | 'frozen' | 'stopped';
  /** s_down as seen by n sentinels; o_down when a quorum agrees. */
  sdownBy: number;
  odown: boolean;
  /** The master the sentinels agree on. */
  agreedMaster: boolean;
  /** A sentinel whose belief differs from the agreement. */
  dissents: boolean;
  /** Its lab member (`redis-1`), null off a lab. */
  member: string | null;
  /** The side of the partition being picked it is on. */
  side: Side | null;
  /** Clusters: its shard's key (colour), its slots (masters), and how many nodes flag it PFAIL / FAIL. */
  shard: number | null;
  slots: string | null;
  pfailBy: number;
  failBy: number;
  x: number;
  y: number;
}

export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  relation: 'replicates' | 'monitors' | 'writes' | 'reads';
  label: string | null;
  /** A replication link that is down, or a sentinel naming a different master. */
  broken: boolean;
  /** An active network fault drops the connection this edge stands for. */
  cut: boolean;
}

/** The id of the proxy's node. */
export const PROXY = 'proxy';

/** What the graph shows of the proxy: where each of its ports sends clients now. */
export interface ProxyView {
  write: Pick<ProxyStats['write'], 'addr' | 'master' | 'sessions'>;
  read: Pick<ProxyStats['read'], 'addr' | 'replicas' | 'sessions'>;
}

/** Horizontal distance between nodes in a row, and vertical distance between rows. */
export const COLUMN = 220;
export const ROW = 170;

/** A replication edge's label: how far behind the replica is. */
export function formatLag(bytes: number | null): string | null {
  return bytes === null ? null : `lag ${formatBytes(bytes)}`;
}

/** Places `items` side by side at height `y`, centred in a grid `width` columns wide. */
export function row<T>(items: T[], y: number, width: number): { item: T; x: number; y: number }[] {
  const offset = ((width - items.length) * COLUMN) / 2;
  return items.map((item, i) => ({ item, x: offset + i * COLUMN, y }));
}

/** What a node's colour says: its own answer, unless its supervised process says more. */
export function nodeState(up: boolean, process: ProcessInfo | undefined): GraphNode['state'] {
  if (process?.state === 'frozen') return 'frozen';
  if (up) return 'up';
  return process?.state === 'stopped' ? 'stopped' : 'down';
}

/** What a node carries only on a cluster. */
export const NO_CLUSTER = { shard: null, slots: null, pfailBy: 0, failBy: 0 } as const;

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
  /** A replica: how far behind it is (`lag 0 B`), or `link down`; shown by the replica itself. */
  lag: string | null;
  /** The proxy: its two ports, each labelled where it is drawn. */
  ports: { write: string; read: string } | null;
  /** A sentinel: the master it names (its name when known), shown where no edge is drawn for it. */
  names: string | null;
  x: number;
  y: number;
  /** Its box, in graph units: the layout's width and height, so edges route around boxes. */
  w: number;
  h: number;
}

/** A side of a node box, where an edge leaves or enters it (`bottom-end`: the bottom, to the right). */
export type HandleSide = 'top' | 'bottom' | 'left' | 'right' | 'bottom-end';

/**
 * How an edge is drawn: from one side of its source to one side of its target; `offset` set:
 * an orthogonal path that first leaves the box by that many units (nested loops that pass no
 * box), null: a curve between rows.
 */
export interface EdgeRoute {
  from: HandleSide;
  to: HandleSide;
  offset: number | null;
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
  route: EdgeRoute;
}

/** The id of the proxy's node. */
export const PROXY = 'proxy';

/** What the graph shows of the proxy: where each of its ports sends clients now. */
export interface ProxyView {
  write: Pick<ProxyStats['write'], 'addr' | 'master' | 'sessions'>;
  read: Pick<ProxyStats['read'], 'addr' | 'replicas' | 'sessions'>;
}

/** A node box, and the distance between boxes in a row and between rows. */
export const NODE_WIDTH = 200;
export const NODE_HEIGHT = 84;
export const COLUMN = 220;
export const ROW = 150;

/** Where replication and proxy edges run: the first lane's distance from a box, and between lanes. */
const LANE = 14;
const LANE_GAP = 10;

/** The offset of an edge spanning `steps` columns or rows: farther pairs loop wider, so loops nest. */
export function laneOffset(steps: number): number {
  return LANE + LANE_GAP * Math.max(0, Math.round(steps) - 1);
}

/** What a replica shows of its replication: how far behind it is, or that its link is down. */
export function formatLag(linkUp: boolean | null, bytes: number | null): string | null {
  if (linkUp !== true) return 'link down';
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

/** What a node carries only on a cluster, or only as a proxy or a sentinel, and its box. */
export const NO_CLUSTER = { shard: null, slots: null, pfailBy: 0, failBy: 0 } as const;
export const PLAIN = {
  lag: null,
  ports: null,
  names: null,
  w: NODE_WIDTH,
  h: NODE_HEIGHT,
} as const;

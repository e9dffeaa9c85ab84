import type { Addr } from './address.js';
import type { ClusterState } from './cluster.js';

export type DeploymentKind = 'sentinel' | 'cluster';
export type NodeRole = 'master' | 'replica' | 'unknown';

/** Replication as one data node reports it (INFO replication), plus lag computed against its master. */
export interface Replication {
  /** For a replica: the master it follows. */
  masterAddr: Addr | null;
  /** For a replica: `master_link_status`. */
  linkUp: boolean | null;
  /** `master_repl_offset` on a master, `slave_repl_offset` on a replica. */
  offset: number | null;
  /** Bytes the replica is behind its master's offset (0 when caught up). */
  lagBytes: number | null;
  /** Seconds since the master last heard from this replica (`lag=` in the master's INFO). */
  lagSeconds: number | null;
  connectedReplicas: number | null;
  syncInProgress: boolean;
}

/** Counters and facts from INFO that only metrics and alerts need; null when not reported. */
export interface NodeStats {
  /** `redis_mode`: standalone, sentinel or cluster. */
  mode: string | null;
  commandsProcessed: number | null;
  connectionsReceived: number | null;
  rejectedConnections: number | null;
  keyspaceHits: number | null;
  keyspaceMisses: number | null;
  expiredKeys: number | null;
  evictedKeys: number | null;
  blockedClients: number | null;
  /** Keys and keys with an expiry per database (`db0`, ...). */
  keyspace: Record<string, { keys: number; expires: number }>;
}

/** One redis-server as quorum sees it. */
export interface DataNode {
  addr: Addr;
  role: NodeRole;
  up: boolean;
  /** Why the node is down (one sentence), null when up. */
  downReason: string | null;
  replication: Replication;
  memoryUsedBytes: number | null;
  memoryMaxBytes: number | null;
  connectedClients: number | null;
  opsPerSec: number | null;
  uptimeSeconds: number | null;
  version: string | null;
  runId: string | null;
  loading: boolean;
  /** Sentinels that currently flag this node `s_down`. */
  sdownBy: Addr[];
  /** True when some sentinel flags it `o_down` (masters only). */
  odown: boolean;
  /** When this node last answered INFO (ms since epoch), null if never. */
  lastSeenMs: number | null;
  stats: NodeStats;
}

export interface CkQuorum {
  ok: boolean;
  message: string;
}

/** Why a node did not answer, by kind: only `refused`, `timeout` and `unreachable` may pass by themselves. */
export type DownKind =
  'refused' | 'timeout' | 'protocol' | 'auth' | 'denied' | 'tls' | 'reply' | 'unreachable';

/** What one sentinel believes about the monitored master: sentinels can disagree. */
export interface SentinelView {
  addr: Addr;
  up: boolean;
  downReason: string | null;
  /** The kind of `downReason`, null when up. */
  downKind: DownKind | null;
  /** The sentinel's own run id (INFO server). */
  runId: string | null;
  /** The master this sentinel believes in. */
  masterAddr: Addr | null;
  /** Flags this sentinel sets on that master (`master`, `s_down`, `o_down`, ...). */
  masterFlags: string[];
  quorum: number | null;
  /** Other sentinels this one knows (`num-other-sentinels`). */
  knownSentinels: number | null;
  /** Replicas this one knows (`num-slaves`). */
  knownReplicas: number | null;
  /** Of those, replicas this sentinel does not flag down or disconnected. */
  okReplicas: number | null;
  configEpoch: number | null;
  /** This sentinel's `down-after-milliseconds` for the master. */
  downAfterMs: number | null;
  /** This sentinel's `failover-timeout` for the master: a lost election is retried after twice it. */
  failoverTimeoutMs: number | null;
  tilt: boolean | null;
  ckquorum: CkQuorum | null;
}

export interface Agreement {
  /** The master that at least `quorum` reachable sentinels name; null when none does. */
  master: Addr | null;
  /** Sentinels naming `master` (or the most-named address when there is no agreement). */
  agreeing: number;
  /** Sentinels configured or discovered, reachable or not. */
  total: number;
  /** Distinct masters named by reachable sentinels. */
  candidates: Addr[];
}

/** The certificate a process presents in its TLS handshake, as last read (hourly). */
export interface CertificateInfo {
  addr: Addr;
  process: 'node' | 'sentinel';
  subject: string;
  /** The names it holds (`IP Address:127.0.0.1, DNS:localhost`). */
  altNames: string;
  /** Its end date, ms since epoch. */
  expiresAtMs: number;
}

interface TopologyBase {
  name: string;
  nodes: DataNode[];
  observedAtMs: number;
  /** Each TLS process's certificate; empty for a deployment without TLS. */
  certificates: CertificateInfo[];
}

/** The live model of a Sentinel deployment: its data nodes and what each sentinel believes. */
export interface SentinelTopology extends TopologyBase {
  kind: 'sentinel';
  masterName: string;
  agreement: Agreement;
  sentinels: SentinelView[];
}

/** The live model of a Redis Cluster: its nodes and the slots, shards and each node's view. */
export interface ClusterTopology extends TopologyBase {
  kind: 'cluster';
  cluster: ClusterState;
}

/** The live model of one deployment, by kind. */
export type Topology = SentinelTopology | ClusterTopology;

/** The master a quorum of sentinels agree on; a cluster has no single master (null). */
export function agreedMaster(topology: Topology): Addr | null {
  return topology.kind === 'sentinel' ? topology.agreement.master : null;
}

/** The sentinels a deployment has: none for a cluster. */
export function sentinelsOf(topology: Topology): SentinelView[] {
  return topology.kind === 'sentinel' ? topology.sentinels : [];
}

function emptyReplication(): Replication {
  return {
    masterAddr: null,
    linkUp: null,
    offset: null,
    lagBytes: null,
    lagSeconds: null,
    connectedReplicas: null,
    syncInProgress: false,
  };
}

function emptyStats(): NodeStats {
  return {
    mode: null,
    commandsProcessed: null,
    connectionsReceived: null,
    rejectedConnections: null,
    keyspaceHits: null,
    keyspaceMisses: null,
    expiredKeys: null,
    evictedKeys: null,
    blockedClients: null,
    keyspace: {},
  };
}

export function downNode(addr: Addr, reason: string): DataNode {
  return {
    addr,
    role: 'unknown',
    up: false,
    downReason: reason,
    replication: emptyReplication(),
    memoryUsedBytes: null,
    memoryMaxBytes: null,
    connectedClients: null,
    opsPerSec: null,
    uptimeSeconds: null,
    version: null,
    runId: null,
    loading: false,
    sdownBy: [],
    odown: false,
    lastSeenMs: null,
    stats: emptyStats(),
  };
}

export function downSentinel(
  addr: Addr,
  reason: string,
  kind: DownKind = 'unreachable',
): SentinelView {
  return {
    addr,
    up: false,
    downReason: reason,
    downKind: kind,
    runId: null,
    masterAddr: null,
    masterFlags: [],
    quorum: null,
    knownSentinels: null,
    knownReplicas: null,
    okReplicas: null,
    downAfterMs: null,
    failoverTimeoutMs: null,
    configEpoch: null,
    tilt: null,
    ckquorum: null,
  };
}

/** A cluster's slots, shards and views; null for a Sentinel deployment. */
export function clusterOf(topology: Topology): ClusterState | null {
  return topology.kind === 'cluster' ? topology.cluster : null;
}

import type { Expectation } from '../model/index.js';
import type { NodeAclUser } from '../model/index.js';
import { assertNever } from '../model/index.js';
import type { LabPlan } from './lab.js';
import { labAddr, netnsName } from './lab.js';

/** Where the processes live: all on loopback, or each in its own network namespace. */
/**
 * Sentinel's failover-timeout for a local deployment. A lost election (the sentinels asked for
 * votes at once and each voted for itself) is retried only after twice this, so it sets how long
 * such a deployment stays without a master: 20 s here, against 2 min with the 60 s of Redis's
 * example config. A failover on one machine needs about 1 s of it.
 */
export const DEFAULT_FAILOVER_TIMEOUT_MS = 10_000;

/** Whether servers ask clients for a certificate (`tls-auth-clients`). */
export const tlsAuthClients = ['yes', 'optional', 'no'] as const;
export interface AclSpec {
  /** Each user's password (state.json and the files under `<dir>/acl/` are 0600). */
  passwords: Record<NodeAclUser, string>;
}

export interface TlsSpec {
  /** @default 'yes' (Redis's default: mutual TLS) */
  authClients: (typeof tlsAuthClients)[number];
}

export const networks = ['loopback', 'lab'] as const;
export type Network = (typeof networks)[number];

/** `sentinel`: one master, replicas and sentinels. `cluster`: a Redis Cluster, no sentinels. */
export const modes = ['sentinel', 'cluster'] as const;
export type Mode = (typeof modes)[number];

/** What both kinds of local deployment share. */
interface SpecBase {
  /** The master name sentinels monitor; also the deployment's name. @default 'mymaster' ('mycluster') */
  name: string;
  /** Address every process binds to. @default '127.0.0.1' */
  host: string;
  /** First data port; data nodes take `port`, `port + 1`, ... @default 6390 (7000 for a cluster) */
  port: number;
  /** requirepass + masterauth on data nodes, auth-pass and requirepass on sentinels. @default null */
  password: string | null;
  /** Restart a process that exits without being asked to. @default false */
  autorestart: boolean;
  /**
   * `default`: Redis's own defaults (RDB only, writes accepted with no replica).
   * `safe`: min-replicas-to-write 1 and min-replicas-max-lag 10 (an isolated master stops taking
   * writes after 10 s), AOF everysec plus RDB, shutdown-timeout 10.
   * @default 'default'
   */
  preset: Preset;
  /** `lab`: each process in its own network namespace with its own address. @default 'loopback' */
  network: Network;
  /**
   * TLS only (`port 0` + `tls-port`) on every process, with certificates `up` makes under
   * `<dir>/tls/`; null for plain TCP. @default null
   */
  tls: TlsSpec | null;
  /**
   * ACL users on every process (`up --acl`): quorum, sentinel, replica, backup and app, each
   * with a password made at the first start; the default user is off. Null: no ACL. @default null
   */
  acl: AclSpec | null;
  /** The lab's tag and subnet, chosen at the first start and kept; null on loopback. */
  lab: LabPlan | null;
}

/** One master, N replicas and M sentinels, optionally with the proxy. */
export interface SentinelSpec extends SpecBase {
  mode: 'sentinel';
  /** First sentinel port. @default port + 20000 */
  sentinelPort: number;
  /** @default 2 */
  replicas: number;
  /** @default 3 */
  sentinels: number;
  /** Sentinels that must agree the master is down. @default majority of sentinels */
  quorum: number;
  /** @default 5000 */
  downAfterMs: number;
  /** @default 60000 */
  failoverTimeoutMs: number;
  /**
   * The proxy's write port (its read port is the next one); null runs no proxy.
   * @default port + replicas + 1, right after the data nodes
   */
  proxyPort: number | null;
}

/** A Redis Cluster of M masters with R replicas each; no sentinels, no proxy. */
export interface ClusterSpec extends SpecBase {
  mode: 'cluster';
  /** Masters that share the 16384 slots. @default 3 */
  masters: number;
  /** Replicas of each master. @default 1 */
  replicasPerMaster: number;
  /** `cluster-node-timeout`. @default 5000 */
  nodeTimeoutMs: number;
  /** Nodes added after the start (`cluster add-node`), after the planned ones. @default 0 */
  extraNodes: number;
  /** Processes removed with `cluster del-node`; they are not started again. @default [] */
  removedNodes: string[];
}

/** What `quorum up` launches: a Sentinel deployment or a Redis Cluster. */
export type LocalSpec = SentinelSpec | ClusterSpec;

/** Overrides of the defaults of a Sentinel deployment. */
export type SentinelOverrides = Partial<Omit<SentinelSpec, 'mode'>> & { mode?: 'sentinel' };
/** Overrides of the defaults of a cluster. */
export type ClusterOverrides = Partial<Omit<ClusterSpec, 'mode'>> & { mode: 'cluster' };

export const presets = ['default', 'safe'] as const;
export type Preset = (typeof presets)[number];

export const DEFAULT_PORT = 6390;
/** Cluster nodes start at 7000, as in the Redis Cluster tutorial; bus ports are port + 10000. */
const DEFAULT_CLUSTER_PORT = 7000;
export const CLUSTER_BUS_OFFSET = 10000;
/** Sentinels sit this far above the data ports, as 26379 sits above 6379. */
export const SENTINEL_PORT_OFFSET = 20000;

export function defaultSpec(overrides?: SentinelOverrides): SentinelSpec;
export function defaultSpec(overrides: ClusterOverrides): ClusterSpec;
export function defaultSpec(overrides: SentinelOverrides | ClusterOverrides = {}): LocalSpec {
  if (overrides.mode === 'cluster') return defaultClusterSpec(overrides);
  return defaultSentinelSpec(overrides);
}

function defaultSentinelSpec(overrides: SentinelOverrides): SentinelSpec {
  const port = overrides.port ?? DEFAULT_PORT;
  const sentinels = overrides.sentinels ?? 3;
  const replicas = overrides.replicas ?? 2;
  const sentinelPort = overrides.sentinelPort ?? port + SENTINEL_PORT_OFFSET;
  // right after the data ports, unless the sentinels sit there: then right after them
  const afterData = port + replicas + 1;
  const proxyPort =
    afterData + 1 >= sentinelPort && afterData <= sentinelPort + sentinels - 1
      ? sentinelPort + sentinels
      : afterData;
  return {
    name: 'mymaster',
    host: '127.0.0.1',
    replicas: 2,
    downAfterMs: 5000,
    failoverTimeoutMs: DEFAULT_FAILOVER_TIMEOUT_MS,
    password: null,
    autorestart: false,
    preset: 'default',
    network: 'loopback',
    lab: null,
    tls: null,
    acl: null,
    ...overrides,
    mode: 'sentinel',
    port,
    sentinels,
    sentinelPort,
    quorum: overrides.quorum ?? Math.floor(sentinels / 2) + 1,
    proxyPort: overrides.proxyPort === undefined ? proxyPort : overrides.proxyPort,
  };
}

/** A cluster: no sentinels, no proxy (cluster clients follow MOVED themselves). */
function defaultClusterSpec(overrides: ClusterOverrides): ClusterSpec {
  return {
    name: 'mycluster',
    host: '127.0.0.1',
    password: null,
    autorestart: false,
    preset: 'default',
    network: 'loopback',
    lab: null,
    tls: null,
    acl: null,
    masters: 3,
    replicasPerMaster: 1,
    nodeTimeoutMs: 5000,
    extraNodes: 0,
    removedNodes: [],
    ...overrides,
    port: overrides.port ?? DEFAULT_CLUSTER_PORT,
  };
}

/** How many redis-server processes the spec runs. */
function dataNodeCount(spec: LocalSpec): number {
  switch (spec.mode) {
    case 'sentinel':
      return spec.replicas + 1;
    case 'cluster':
      return spec.masters * (1 + spec.replicasPerMaster) + spec.extraNodes;
    default:
      return assertNever(spec);
  }
}

/**
 * One line saying what the spec runs, for the person watching the start, e.g. "1 master, 2
 * replicas, 3 sentinels (quorum 2)" or "3 masters, 3 replicas (1 per master), node-timeout 5000 ms".
 */
export function describeSpec(spec: LocalSpec): string {
  switch (spec.mode) {
    case 'sentinel':
      return `1 master, ${spec.replicas} replicas, ${spec.sentinels} sentinels (quorum ${spec.quorum})`;
    case 'cluster':
      return `${spec.masters} masters, ${spec.masters * spec.replicasPerMaster} replicas (${spec.replicasPerMaster} per master), node-timeout ${spec.nodeTimeoutMs} ms`;
    default:
      return assertNever(spec);
  }
}

export type ProcessKind = 'redis' | 'sentinel';

/** One process the launcher runs. Names stay fixed while roles change with failovers. */
export interface PlannedProcess {
  name: string;
  kind: ProcessKind;
  port: number;
  /** The address it binds to: the spec's host, or its own lab address. */
  host: string;
  /** Its network namespace in a lab; null on loopback. */
  netns: string | null;
  /** The role it is started with the first time (data nodes only). */
  initialRole: 'master' | 'replica' | null;
  /** Cluster mode: the process whose replica it becomes at creation; null otherwise. */
  replicaOf: string | null;
}

/** Cluster mode: masters `redis-1..M` first, then their replicas, master by master in turn. */
function planCluster(spec: ClusterSpec): PlannedProcess[] {
  const plan: PlannedProcess[] = [];
  const count = dataNodeCount(spec);
  for (let i = 0; i < count; i++) {
    const name = `redis-${i + 1}`;
    // added nodes join empty, as masters without slots, unless told to replicate
    const isMaster = i < spec.masters || i >= spec.masters * (1 + spec.replicasPerMaster);
    plan.push({
      name,
      kind: 'redis',
      port: spec.port + i,
      host: spec.lab ? labAddr(spec.lab, 'redis', i) : spec.host,
      netns: spec.lab ? netnsName(spec.lab, name) : null,
      initialRole: isMaster ? 'master' : 'replica',
      replicaOf: isMaster ? null : `redis-${((i - spec.masters) % spec.masters) + 1}`,
    });
  }
  return plan.filter((p) => !spec.removedNodes.includes(p.name));
}

export function planProcesses(spec: LocalSpec): PlannedProcess[] {
  switch (spec.mode) {
    case 'sentinel':
      return planSentinel(spec);
    case 'cluster':
      return planCluster(spec);
    default:
      return assertNever(spec);
  }
}

function planSentinel(spec: SentinelSpec): PlannedProcess[] {
  const plan: PlannedProcess[] = [];
  for (let i = 0; i <= spec.replicas; i++) {
    const name = `redis-${i + 1}`;
    plan.push({
      name,
      kind: 'redis',
      port: spec.port + i,
      host: spec.lab ? labAddr(spec.lab, 'redis', i) : spec.host,
      netns: spec.lab ? netnsName(spec.lab, name) : null,
      initialRole: i === 0 ? 'master' : 'replica',
      replicaOf: null,
    });
  }
  for (let i = 0; i < spec.sentinels; i++) {
    const name = `sentinel-${i + 1}`;
    plan.push({
      name,
      kind: 'sentinel',
      port: spec.sentinelPort + i,
      host: spec.lab ? labAddr(spec.lab, 'sentinel', i) : spec.host,
      netns: spec.lab ? netnsName(spec.lab, name) : null,
      initialRole: null,
      replicaOf: null,
    });
  }
  return plan;
}

/** The address the first data node (the initial master) listens on. */
export function firstMasterAddr(spec: LocalSpec): { host: string; port: number } {
  return { host: spec.lab ? labAddr(spec.lab, 'redis', 0) : spec.host, port: spec.port };
}

/** What a healthy deployment of this spec looks like, for healthProblems. */
export function expectationOf(spec: LocalSpec): Expectation {
  switch (spec.mode) {
    case 'sentinel':
      return { replicas: spec.replicas, sentinels: spec.sentinels };
    case 'cluster': {
      // once nodes were added or removed the shape is the operator's: coverage, agreement and
      // links still count, the replicas per master no longer
      const reshaped = spec.extraNodes > 0 || spec.removedNodes.length > 0;
      return reshaped ? {} : { replicasPerMaster: spec.replicasPerMaster };
    }
    default:
      return assertNever(spec);
  }
}

import type { LabPlan } from './lab.js';
import { labAddr, netnsName } from './lab.js';

/** Where the processes live: all on loopback, or each in its own network namespace. */
export const networks = ['loopback', 'lab'] as const;
export type Network = (typeof networks)[number];

/** What `quorum up` launches: one master, N replicas and M sentinels on loopback. */
export interface LocalSpec {
  /** The master name sentinels monitor; also the deployment's name. @default 'mymaster' */
  name: string;
  /** Address every process binds to. @default '127.0.0.1' */
  host: string;
  /** First data port; data nodes take `port`, `port + 1`, ... @default 6390 */
  port: number;
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
  /**
   * The proxy's write port (its read port is the next one); null runs no proxy.
   * @default port + replicas + 1, right after the data nodes
   */
  proxyPort: number | null;
  /** `lab`: each process in its own network namespace with its own address. @default 'loopback' */
  network: Network;
  /** The lab's tag and subnet, chosen at the first start and kept; null on loopback. */
  lab: LabPlan | null;
}

export const presets = ['default', 'safe'] as const;
export type Preset = (typeof presets)[number];

export const DEFAULT_PORT = 6390;
/** Sentinels sit this far above the data ports, as 26379 sits above 6379. */
export const SENTINEL_PORT_OFFSET = 20000;

export function defaultSpec(overrides: Partial<LocalSpec> = {}): LocalSpec {
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
    failoverTimeoutMs: 60000,
    password: null,
    autorestart: false,
    preset: 'default',
    network: 'loopback',
    lab: null,
    ...overrides,
    port,
    sentinels,
    sentinelPort,
    quorum: overrides.quorum ?? Math.floor(sentinels / 2) + 1,
    proxyPort: overrides.proxyPort === undefined ? proxyPort : overrides.proxyPort,
  };
}

/** Problems with a spec, one sentence each (what, why, what to do); empty when valid. */
export function specProblems(spec: LocalSpec): string[] {
  const problems: string[] = [];
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(spec.name)) {
    problems.push(
      `--name '${spec.name}' is not a valid master name; use letters, digits, '.', '_' or '-'`,
    );
  }
  if (!Number.isInteger(spec.replicas) || spec.replicas < 0 || spec.replicas > 16) {
    problems.push(`--replicas ${spec.replicas} is out of range; use 0 to 16`);
  }
  if (!Number.isInteger(spec.sentinels) || spec.sentinels < 1 || spec.sentinels > 9) {
    problems.push(`--sentinels ${spec.sentinels} is out of range; use 1 to 9`);
  }
  if (!Number.isInteger(spec.quorum) || spec.quorum < 1) {
    problems.push(`--quorum ${spec.quorum} must be at least 1`);
  } else if (spec.quorum > spec.sentinels) {
    problems.push(
      `--quorum ${spec.quorum} is larger than --sentinels ${spec.sentinels}, so no failover could ever start; use --quorum ${Math.floor(spec.sentinels / 2) + 1}`,
    );
  }
  if (!Number.isInteger(spec.downAfterMs) || spec.downAfterMs < 100) {
    problems.push(`--down-after ${spec.downAfterMs} is too short; use at least 100 ms`);
  }
  if (!Number.isInteger(spec.failoverTimeoutMs) || spec.failoverTimeoutMs < 1000) {
    problems.push(
      `--failover-timeout ${spec.failoverTimeoutMs} is too short; use at least 1000 ms`,
    );
  }
  const dataEnd = spec.port + spec.replicas;
  const sentinelEnd = spec.sentinelPort + spec.sentinels - 1;
  if (!Number.isInteger(spec.port) || spec.port < 1024 || dataEnd > 65535) {
    problems.push(
      `--port ${spec.port} leaves no room for ${spec.replicas + 1} data nodes; use a port from 1024 to ${65535 - spec.replicas}`,
    );
  }
  if (!Number.isInteger(spec.sentinelPort) || spec.sentinelPort < 1024 || sentinelEnd > 65535) {
    problems.push(
      `sentinel port ${spec.sentinelPort} is out of range; pass --sentinel-port with a port from 1024 to ${65535 - spec.sentinels + 1}`,
    );
  }
  if (spec.sentinelPort <= dataEnd && sentinelEnd >= spec.port) {
    problems.push(
      `the sentinel ports ${spec.sentinelPort}-${sentinelEnd} overlap the data ports ${spec.port}-${dataEnd}; pick another --sentinel-port`,
    );
  }
  // checked once the other ports are sound, so one mistake gets one sentence
  if (spec.proxyPort !== null && problems.length === 0) {
    const [write, read] = [spec.proxyPort, spec.proxyPort + 1];
    const overlaps = (a: number, b: number) => write <= b && read >= a;
    if (!Number.isInteger(write) || write < 1024 || read > 65535) {
      problems.push(
        `the proxy ports ${String(write)}-${String(read)} are out of range; pass --proxy-port with a port from 1024 to 65534 (or --no-proxy)`,
      );
    } else if (overlaps(spec.port, dataEnd)) {
      problems.push(
        `the proxy ports ${String(write)}-${String(read)} overlap the data ports ${String(spec.port)}-${String(dataEnd)}; pick another --proxy-port (or --no-proxy)`,
      );
    } else if (overlaps(spec.sentinelPort, sentinelEnd)) {
      problems.push(
        `the proxy ports ${String(write)}-${String(read)} overlap the sentinel ports ${String(spec.sentinelPort)}-${String(sentinelEnd)}; pick another --proxy-port (or --no-proxy)`,
      );
    }
  }
  // redis.conf reads backslashes in quoted strings as escapes, so they would change the password
  if (spec.password !== null && (spec.password === '' || /[\s"\\]/.test(spec.password))) {
    problems.push(
      '--password must be non-empty and contain no spaces, double quotes or backslashes',
    );
  }
  return problems;
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
}

export function planProcesses(spec: LocalSpec): PlannedProcess[] {
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
    });
  }
  return plan;
}

/** The address the first data node (the initial master) listens on. */
export function firstMasterAddr(spec: LocalSpec): { host: string; port: number } {
  return { host: spec.lab ? labAddr(spec.lab, 'redis', 0) : spec.host, port: spec.port };
}

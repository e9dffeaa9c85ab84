/**
 * The server/UI contract. The UI imports these types (type-only), so both sides are written
 * against one definition: what the UI may call (requests) and what the server pushes (SSE).
 */
import { z } from 'zod';
import type { EventReport, LinkReport, QuorumEvent, Topology } from '../model/index.js';
import type { NodeAction, ProcessInfo } from '../local/index.js';
import type { DrillListing, Via } from '../drill/index.js';
import type { ProxyStats } from '../proxy/index.js';
import type { DrillLive } from '../drill/live.js';
import type { Alert, Severity } from '../alerts/index.js';
import type { JobState } from '../deployment/index.js';

export type { Alert } from '../alerts/index.js';
import type { NetworkFault } from '../faults/index.js';
import { networkFaultSchema } from '../faults/network.js';
export type { NetworkFault } from '../faults/index.js';

/** Cut or slow links (POST .../network); `replace` heals an active cut first. */
export const networkRequestSchema = z.object({
  fault: networkFaultSchema,
  replace: z.boolean().default(false),
});

export type { DrillLive } from '../drill/live.js';
// what the UI shows of the parts below the server, named here so the UI imports only this file
export type { ProcessInfo, ProcessState } from '../local/index.js';
export type { DrillRecord, DrillRun, RunVia, Via } from '../drill/index.js';
export type { Series } from '../drill/checker.js';
export type { ProxyStats } from '../proxy/index.js';
/** An ended job of a deployment's desk (GET .../jobs, newest first). */
export type { JobRecord } from '../deployment/index.js';
export { isFinished } from '../drill/live.js';

export type Role = 'admin' | 'viewer';

export interface Session {
  role: Role;
  /** True when the server refuses every action (`--read-only`). */
  readOnly: boolean;
}

/** One per-node sample a second: what the charts draw. */
export interface Sample {
  /** ms since epoch */
  t: number;
  opsPerSec: number | null;
  memoryUsedBytes: number | null;
  connectedClients: number | null;
  lagBytes: number | null;
}

/** What the dashboard may do to a deployment, by who can do it. */
export interface Capabilities {
  /** Actions through Sentinel or Redis itself: any reachable deployment. */
  remote: ('failover' | 'switchover' | 'debug-sleep')[];
  /** Actions on processes: only where a local supervisor owns them. */
  process: NodeAction[];
  /** Network faults: only on a lab deployment (up --network lab). */
  network: boolean;
  /** Cluster administration (clusters only); `add-node` only where quorum launched it. */
  cluster: ClusterActionRequest['action'][];
}

/** A lab deployment's network: who is in it, and what is cut or slowed now. */
export interface NetworkState {
  /** Every member: processes and client namespaces, with their lab address. */
  members: { name: string; addr: string }[];
  active: NetworkFault[];
  /** One sentence per active fault. */
  described: string[];
}

/**
 * Cluster administration from the dashboard (POST .../cluster, admin role). Node references are
 * a local process name (`redis-4`), an address or a node id (or a unique prefix of one).
 */
export const clusterActionSchema = z.discriminatedUnion('action', [
  z.object({
    action: z.literal('cluster-failover'),
    /** The replica to promote. */
    node: z.string().min(1),
    mode: z.enum(['default', 'force', 'takeover']).default('default'),
  }),
  z.object({
    action: z.literal('reshard'),
    from: z.string().min(1),
    to: z.string().min(1),
    slots: z.number().int().min(1).max(16384),
  }),
  z.object({ action: z.literal('rebalance'), useEmptyMasters: z.boolean().default(false) }),
  /** Local deployments only: starts one more process and joins it (as a replica of `replicaOf`). */
  z.object({
    action: z.literal('add-node'),
    replicaOf: z.string().min(1).nullable().default(null),
  }),
  z.object({ action: z.literal('del-node'), node: z.string().min(1) }),
]);
export type ClusterActionRequest = z.infer<typeof clusterActionSchema>;

/** A cluster action from the dashboard; moves take a while, so their progress is pushed. */
export interface ClusterJob {
  id: string;
  action: ClusterActionRequest['action'];
  /** One sentence: what was asked (`move 100 slots from 127.0.0.1:7000 to 127.0.0.1:7001`). */
  description: string;
  startedMs: number;
  endedMs: number | null;
  /** Progress in `unit`s; `total` 0 while unknown. */
  done: number;
  total: number;
  unit: 'slots' | 'steps';
  keysMoved: number;
  /** The latest line of progress, or the outcome once ended. */
  message: string;
  /** Why it failed, one sentence; null while running or when it succeeded. */
  error: string | null;
  /** Its state on the deployment's job desk; its record is kept under `<dir>/jobs/<id>.json`. */
  state?: JobState;
}

/** The answer to POST .../cluster (202): the job as it starts; its progress is pushed. */
export interface ClusterJobStarted {
  ok: true;
  message: string;
  job: ClusterJob;
}

/** How fresh the server's data on a deployment is, at the time the state was made. */
export interface ObserverFreshness {
  /** Age of the topology served, null before the first poll finished. */
  ageMs: number | null;
  /** Older than `staleAfterMs` (three poll intervals), or never observed. */
  stale: boolean;
  staleAfterMs: number;
  /** Why the last poll failed; null when it succeeded. */
  failing: string | null;
  failedPolls: number;
}

export interface DeploymentState {
  name: string;
  topology: Topology | null;
  processes: ProcessInfo[];
  capabilities: Capabilities;
  /** Problems that keep it from being healthy, one sentence each. */
  problems: string[];
  /** Set when no sentinel answers at all, with the reasons. */
  unreachable: string | null;
  /** The proxy quorum runs in front of it, if any. */
  proxy: ProxyStats | null;
  /** Built-in alerts firing now (the badge). */
  alertsFiring: number;
  /** The highest severity among them (the badge's colour); null when none fires. */
  alertsSeverity: Severity | null;
  /** The lab network, when quorum launched it with --network lab; null otherwise. */
  network: NetworkState | null;
  /** Clusters: the latest administration job started from the dashboard (running or ended). */
  clusterJob: ClusterJob | null;
  /**
   * The server's own links to the deployment (each sentinel's commands and events, each node):
   * state, since when (the server's clock, as `topology.observedAtMs`), the last failure.
   */
  links: LinkReport[];
  /** Whether the topology above is current; the page marks it stale when it is not. */
  observer: ObserverFreshness;
}

export type { LinkReport } from '../model/index.js';

/** The Alerts page of one deployment. */
export interface AlertsState {
  /** Pending and firing, firing first. */
  active: Alert[];
  /** Recently resolved, newest first. */
  resolved: Alert[];
}

export type { NodeDetails } from '../admin/index.js';

export const actionRequestSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('failover') }),
  z.object({ action: z.literal('switchover') }),
  z.object({
    action: z.literal('debug-sleep'),
    node: z.string().min(1),
    seconds: z.number().positive().max(600),
  }),
  z.object({
    action: z.enum(['start', 'stop', 'kill', 'restart', 'freeze', 'thaw']),
    node: z.string().min(1),
  }),
]);
export type ActionRequest = z.infer<typeof actionRequestSchema>;

export interface ActionResult {
  ok: true;
  message: string;
  /**
   * Done, but with something left for a person to fix (a switchover whose demotion of the old
   * master is not saved): the message says what; the page shows it as a warning.
   */
  warning: boolean;
}

export interface ApiError {
  error: string;
}

export interface DrillScenarioInfo {
  name: string;
  description: string;
  expectFailover: boolean;
  /** Acts on processes, so it needs the local supervisor. */
  needsProcesses: boolean;
  /** Cuts links, so it needs a lab deployment (up --network lab). */
  needsLab: boolean;
}

/** The Drills page of one deployment. */
export interface DrillsState {
  /** False for a deployment quorum did not launch: drills run there only from the CLI. */
  available: boolean;
  why: string | null;
  scenarios: DrillScenarioInfo[];
  running: DrillLive | null;
  /** The ways writers may find the master here (`proxy` only when quorum runs one). */
  vias: Via[];
  /** The latest drill started from this dashboard, running or ended. */
  last: DrillLive | null;
  past: DrillListing[];
}

export const drillRequestSchema = z.object({
  scenario: z.string().min(1),
  runs: z.number().int().min(1).max(10).default(1),
  /** How the writers find the master; the scenario's own choice when absent. */
  via: z.enum(['sentinel', 'role-check', 'proxy']).optional(),
});
export type DrillRequest = z.infer<typeof drillRequestSchema>;

/** What the server pushes on the SSE stream (`event:` is the `type`). */
export type PushMessage =
  | { type: 'snapshot'; deployments: DeploymentState[]; drills: DrillLive[] }
  | { type: 'deployment'; deployment: DeploymentState }
  | { type: 'event'; event: QuorumEvent }
  | { type: 'report'; deployment: string; id: string; report: EventReport }
  | { type: 'samples'; deployment: string; t: number; samples: Record<string, Sample> }
  | { type: 'drill'; deployment: string; live: DrillLive; finished: DrillListing | null }
  | { type: 'alerts'; deployment: string; alerts: AlertsState }
  | { type: 'cluster-job'; deployment: string; job: ClusterJob };

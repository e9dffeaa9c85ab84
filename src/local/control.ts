import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import type { ProxyStats } from '../proxy/index.js';
import { processStates } from './process.js';

/**
 * How long a node action may go without a word from the supervisor: a stop may wait
 * KILL_AFTER_MS for a clean exit; a start that waits for the sentinels to fail over first says
 * where it stands every few seconds, and each progress line restarts this timeout.
 */
export const NODE_ACTION_TIMEOUT_MS = 180_000;

export const nodeActions = ['start', 'stop', 'kill', 'restart', 'freeze', 'thaw'] as const;
export type NodeAction = (typeof nodeActions)[number];
/**
 * Actions only drills take, because they break the deployment on purpose: `start-empty-master`
 * starts a stopped data node from an empty data directory as a master, the way an orchestrator
 * restarts it from a config without `replicaof` on a fresh disk (the split-brain case).
 */
const faultActions = ['start-empty-master'] as const;
export type FaultAction = (typeof faultActions)[number];
export type ProcessAction = NodeAction | FaultAction;

export const requestSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('ping') }),
  z.object({ op: z.literal('processes') }),
  z.object({ op: z.literal('proxy') }),
  z.object({
    op: z.literal('node'),
    action: z.enum([...nodeActions, ...faultActions]),
    target: z.string(),
    actor: z.string().optional(),
  }),
  z.object({ op: z.literal('shutdown') }),
  /** Cluster mode: start one more empty cluster-enabled node (joining it is the caller's job). */
  z.object({ op: z.literal('add-node'), actor: z.string().optional() }),
  /** Cluster mode: stop a node that left the cluster and keep it out of later starts. */
  z.object({ op: z.literal('remove-node'), target: z.string(), actor: z.string().optional() }),
  z.object({
    op: z.literal('record'),
    type: z.string().regex(/^quorum:[a-z-]+$/),
    message: z.string(),
    detail: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  }),
]);
export type ControlRequest = z.infer<typeof requestSchema>;

const processInfoSchema = z.object({
  name: z.string(),
  kind: z.enum(['redis', 'sentinel']),
  addr: z.string(),
  pid: z.number().nullable(),
  state: z.enum(processStates),
});

/** One process of a local deployment as its supervisor reports it. */
export type ProcessInfo = z.infer<typeof processInfoSchema>;

const addrSchema = z.string();
/** The proxy's stats as they cross the socket; fields added later pass through unchecked. */
const proxyStatsSchema = z.looseObject({
  write: z.looseObject({
    addr: z.string(),
    master: addrSchema.nullable(),
    sessions: z.number(),
    total: z.number(),
    held: z.number(),
  }),
  read: z.looseObject({
    addr: z.string(),
    replicas: z.array(addrSchema),
    sessions: z.number(),
    total: z.number(),
    fallback: z.string(),
  }),
  bytesIn: z.number(),
  bytesOut: z.number(),
  backends: z.array(
    z.looseObject({ addr: addrSchema, side: z.enum(['write', 'read']), sessions: z.number() }),
  ),
  lastSwitch: z
    .looseObject({
      from: addrSchema.nullable(),
      to: addrSchema.nullable(),
      atMs: z.number(),
      tookMs: z.number().nullable(),
    })
    .nullable(),
  tracker: z.enum(['following', 'confirming', 'own-word', 'no-master', 'stopped']).optional(),
  sentinelsUnreachable: z.boolean(),
  refused: z.number(),
  startedAtMs: z.number(),
  relay: z.looseObject({ kind: z.enum(['native', 'js']), threads: z.number() }),
});

const responseSchema = z.union([
  z.object({
    ok: z.literal(true),
    pid: z.number(),
    status: z.string(),
    processes: z.array(processInfoSchema).optional(),
    message: z.string().optional(),
    proxy: proxyStatsSchema.nullable().optional(),
    /** The node `add-node` started. */
    added: z.object({ name: z.string(), addr: z.string() }).optional(),
  }),
  z.object({
    ok: z.literal(false),
    error: z.string(),
    exitCode: z.union([z.literal(1), z.literal(2)]).optional(),
  }),
]);

/** A supervisor's answer on its control socket. */
export type ControlResponse =
  | {
      ok: true;
      pid: number;
      status: string;
      processes?: ProcessInfo[];
      message?: string;
      proxy?: ProxyStats | null;
      /** The node `add-node` started. */
      added?: { name: string; addr: string };
    }
  | { ok: false; error: string; exitCode?: 1 | 2 };

/** The text of a progress line (pure); null when the line is not one. */
export function progressLine(line: string): string | null {
  try {
    const parsed = progressSchema.safeParse(JSON.parse(line));
    return parsed.success ? parsed.data.progress : null;
  } catch {
    return null;
  }
}

/** Parses one answer line (pure); null when it is not an answer a supervisor sends. */
export function parseControlResponse(line: string): ControlResponse | null {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return null;
  }
  const parsed = responseSchema.safeParse(json);
  return parsed.success ? parsed.data : null;
}

/** Handles one request; `progress` sends a line to the client before the answer. */
export type ControlHandler = (
  request: ControlRequest,
  progress: (line: string) => void,
) => Promise<ControlResponse>;

/** A line the supervisor sends before its answer, while an action waits. */
const progressSchema = z.object({ progress: z.string() });

/** Acts on the processes of a local deployment: the supervisor itself, or a client of its socket. */
export interface NodeController {
  /**
   * Performs the action; resolves to a sentence saying what happened, rejects with one saying
   * why not. `progress` hears where a long wait stands (a start waiting for a failover).
   */
  act(
    action: ProcessAction,
    target: string,
    actor: string,
    progress?: (line: string) => void,
  ): Promise<string>;
  processes(): Promise<ProcessInfo[]>;
  /** True when the controller writes each action to the deployment's own event bus. */
  recordsActions: boolean;
  /** Cluster mode: starts one more empty cluster-enabled node and returns it (not yet joined). */
  addNode(actor: string): Promise<{ name: string; addr: string }>;
  /** Cluster mode: stops a node removed from the cluster and keeps it out of later starts. */
  removeNode(target: string, actor: string): Promise<string>;
  /** Writes one of quorum's own events to the deployment's event log. */
  record(
    type: string,
    message: string,
    detail: Record<string, string | number | boolean | null>,
  ): Promise<void>;
}

/** The socket path for a data dir; long paths go to the temp dir (sockets are limited to 107 bytes). */
export function socketPathFor(dir: string): string {
  const local = join(resolve(dir), 'supervisor.sock');
  if (Buffer.byteLength(local) < 100) return local;
  const hash = createHash('sha256').update(resolve(dir)).digest('hex').slice(0, 16);
  return join(tmpdir(), `quorum-${hash}.sock`);
}

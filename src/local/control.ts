import { createHash } from 'node:crypto';
import { existsSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { UserError } from '../model/index.js';
import type { ProxyStats } from '../proxy/index.js';
import { processStates } from './process.js';

/** How long a control client waits for the supervisor to answer a quick request. */
const CONTROL_TIMEOUT_MS = 30_000;
/**
 * How long a node action may go without a word from the supervisor: a stop may wait
 * KILL_AFTER_MS for a clean exit; a start that waits for the sentinels to fail over first says
 * where it stands every few seconds, and each progress line restarts this timeout.
 */
export const NODE_ACTION_TIMEOUT_MS = 180_000;
/** A request must arrive, whole, within this long of connecting. */
const REQUEST_READ_TIMEOUT_MS = 10_000;
const MAX_REQUEST_BYTES = 64 * 1024;
/** An answer carries at most the process table: far below this. */
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

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

const requestSchema = z.discriminatedUnion('op', [
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
function progressLine(line: string): string | null {
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

/** Serves JSON-line requests on a Unix socket (owner-only, like the state file). */
export async function serveControl(path: string, handler: ControlHandler): Promise<Server> {
  if (existsSync(path)) unlinkSync(path);
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    let buffer = '';
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.setEncoding('utf8');
    // a client that sends no request (or an endless one) is dropped, so it cannot hold a shutdown
    socket.setTimeout(REQUEST_READ_TIMEOUT_MS, () => {
      if (buffer.indexOf('\n') < 0) socket.destroy();
    });
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      if (buffer.length > MAX_REQUEST_BYTES) {
        socket.destroy();
        return;
      }
      const newline = buffer.indexOf('\n');
      if (newline < 0) return;
      const line = buffer.slice(0, newline);
      buffer = '';
      let request: ControlRequest;
      try {
        request = requestSchema.parse(JSON.parse(line));
      } catch {
        socket.end(JSON.stringify({ ok: false, error: 'malformed control request' }) + '\n');
        return;
      }
      const progress = (text: string) => {
        if (!socket.destroyed) socket.write(JSON.stringify({ progress: text }) + '\n');
      };
      handler(request, progress)
        .catch((err: unknown): ControlResponse => ({
          ok: false,
          error: err instanceof Error ? err.message : String(err),
          exitCode: err instanceof Error && 'exitCode' in err && err.exitCode === 2 ? 2 : 1,
        }))
        .then((response) => socket.end(JSON.stringify(response) + '\n'))
        .catch(() => socket.destroy());
    });
  });
  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen({ path, readableAll: false, writableAll: false }, () => resolvePromise());
  });
  // closing the server also drops the connections still open, so close() never waits on a client
  server.on('close', () => {
    for (const socket of sockets) socket.destroy();
  });
  const close = server.close.bind(server);
  server.close = (callback?: (err?: Error) => void) => {
    for (const socket of sockets) socket.destroy();
    return close(callback);
  };
  return server;
}

/**
 * Sends one request to a supervisor; rejects when nothing answers within the timeout. Progress
 * lines before the answer go to `onProgress`, and each restarts the timeout.
 */
export function callControl(
  path: string,
  request: ControlRequest,
  timeoutMs = CONTROL_TIMEOUT_MS,
  onProgress: (line: string) => void = () => undefined,
): Promise<ControlResponse> {
  return new Promise((resolvePromise, reject) => {
    const socket = createConnection({ path });
    let buffer = '';
    const expire = () => {
      socket.destroy();
      reject(
        new UserError(
          `the supervisor did not answer within ${Math.round(timeoutMs / 1000)} s; see its log, supervisor.log, in the data directory`,
        ),
      );
    };
    let timer = setTimeout(expire, timeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(JSON.stringify(request) + '\n'));
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      if (buffer.length > MAX_RESPONSE_BYTES) {
        clearTimeout(timer);
        socket.destroy();
        reject(new UserError('the supervisor sent an answer too large to be one'));
        return;
      }
      // every complete line but the answer is a progress line
      for (let newline = buffer.indexOf('\n'); newline >= 0; newline = buffer.indexOf('\n')) {
        const line = buffer.slice(0, newline);
        const progress = progressLine(line);
        if (progress === null) return;
        buffer = buffer.slice(newline + 1);
        clearTimeout(timer);
        timer = setTimeout(expire, timeoutMs);
        onProgress(progress);
      }
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(
        new UserError(
          `cannot reach the supervisor (${err.message}); is the deployment running? start it with 'quorum up'`,
        ),
      );
    });
    socket.on('end', () => {
      clearTimeout(timer);
      const response = parseControlResponse(buffer);
      if (response) resolvePromise(response);
      else {
        reject(
          new UserError(
            'the supervisor sent a malformed answer (or closed the connection); see supervisor.log in the data directory',
          ),
        );
      }
    });
  });
}

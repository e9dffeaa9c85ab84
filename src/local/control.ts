import { createHash } from 'node:crypto';
import { existsSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import type { ProcessState } from './process.js';

/** How long a control client waits for the supervisor to answer. */
export const CONTROL_TIMEOUT_MS = 30_000;

export const nodeActions = ['start', 'stop', 'kill', 'restart', 'freeze', 'thaw'] as const;
export type NodeAction = (typeof nodeActions)[number];

const requestSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('ping') }),
  z.object({ op: z.literal('processes') }),
  z.object({
    op: z.literal('node'),
    action: z.enum(nodeActions),
    target: z.string(),
    actor: z.string().optional(),
  }),
  z.object({ op: z.literal('shutdown') }),
  z.object({
    op: z.literal('record'),
    type: z.string().regex(/^quorum:[a-z-]+$/),
    message: z.string(),
    detail: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  }),
]);
export type ControlRequest = z.infer<typeof requestSchema>;

export interface ProcessInfo {
  name: string;
  kind: 'redis' | 'sentinel';
  addr: string;
  pid: number | null;
  state: ProcessState;
}

export type ControlResponse =
  | { ok: true; pid: number; status: string; processes?: ProcessInfo[]; message?: string }
  | { ok: false; error: string; exitCode?: 1 | 2 };

export type ControlHandler = (request: ControlRequest) => Promise<ControlResponse>;

/** Acts on the processes of a local deployment: the supervisor itself, or a client of its socket. */
export interface NodeController {
  /** Performs the action; resolves to a sentence saying what happened, rejects with one saying why not. */
  act(action: NodeAction, target: string, actor: string): Promise<string>;
  processes(): Promise<ProcessInfo[]>;
  /** True when the controller writes each action to the deployment's own event bus. */
  recordsActions: boolean;
  /** Writes one of quorum's own events to the deployment's event log. */
  record(
    type: string,
    message: string,
    detail: Record<string, string | number | boolean | null>,
  ): Promise<void>;
}

/** A NodeController that talks to a supervisor in another process over its control socket. */
export function controlClient(socketPath: string): NodeController {
  return {
    async act(action, target, actor) {
      const answer = await callControl(socketPath, { op: 'node', action, target, actor });
      if (!answer.ok)
        throw Object.assign(new Error(answer.error), { exitCode: answer.exitCode ?? 1 });
      return answer.message ?? 'done';
    },
    async processes() {
      const answer = await callControl(socketPath, { op: 'processes' }, 3000);
      return answer.ok ? (answer.processes ?? []) : [];
    },
    recordsActions: false,
    async record(type, message, detail) {
      await callControl(socketPath, { op: 'record', type, message, detail }, 3000);
    },
  };
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
  const server = createServer((socket) => {
    let buffer = '';
    socket.setEncoding('utf8');
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: string) => {
      buffer += chunk;
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
      handler(request)
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
  return server;
}

/** Sends one request to a supervisor; rejects when nothing answers within the timeout. */
export function callControl(
  path: string,
  request: ControlRequest,
  timeoutMs = CONTROL_TIMEOUT_MS,
): Promise<ControlResponse> {
  return new Promise((resolvePromise, reject) => {
    const socket = createConnection({ path });
    let buffer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the supervisor did not answer within ${Math.round(timeoutMs / 1000)} s`));
    }, timeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(JSON.stringify(request) + '\n'));
    socket.on('data', (chunk: string) => {
      buffer += chunk;
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on('end', () => {
      clearTimeout(timer);
      try {
        resolvePromise(JSON.parse(buffer) as ControlResponse);
      } catch {
        reject(new Error('the supervisor sent a malformed answer'));
      }
    });
  });
}

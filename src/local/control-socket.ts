import { existsSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { UserError } from '../model/index.js';
import type { ControlHandler, ControlRequest, ControlResponse } from './control.js';
import { parseControlResponse, progressLine, requestSchema } from './control.js';

/** How long a control client waits for the supervisor to answer a quick request. */
const CONTROL_TIMEOUT_MS = 30_000;
/** A request must arrive, whole, within this long of connecting. */
const REQUEST_READ_TIMEOUT_MS = 10_000;
const MAX_REQUEST_BYTES = 64 * 1024;
/** An answer carries at most the process table: far below this. */
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

/** Serves JSON-line requests on a Unix socket (owner-only, like the state file). */
export async function serveControl(
  path: string,
  handler: ControlHandler,
  requestReadTimeoutMs = REQUEST_READ_TIMEOUT_MS,
): Promise<Server> {
  if (existsSync(path)) unlinkSync(path);
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    let buffer = '';
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.setEncoding('utf8');
    // a client that sends no request (or an endless one) is dropped, so it cannot hold a shutdown
    socket.setTimeout(requestReadTimeoutMs, () => socket.destroy());
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
      // the request is in: what follows may take long (a start waiting for a failover), and the
      // client has its own timeout, restarted by each progress line
      socket.setTimeout(0);
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

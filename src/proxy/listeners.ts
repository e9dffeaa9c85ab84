import type { Server, Socket } from 'node:net';
import { connect, createServer } from 'node:net';
import type { Addr } from '../model/index.js';
import { parseAddr, UserError } from '../model/index.js';
import type { Side } from './types.js';

// half-open: a client that is done sending still gets the answers to what it sent. Paused on
// connect: nothing is read until the client has a backend, so its first bytes wait in the kernel
// and reach Redis through the relay like every later byte, in the order they came (read here,
// they were written by the main thread at hand-over, ahead of earlier clients' bytes still
// waiting for the relay thread)
const SERVER_OPTIONS = { noDelay: true, allowHalfOpen: true, pauseOnConnect: true };

/**
 * Listens on `port` for one side of the proxy; rejects with one sentence when it cannot. Later
 * errors (out of file descriptors on accept, say) go to `log`, never thrown.
 */
export async function listenSide(
  side: Side,
  host: string,
  port: number,
  accept: (client: Socket) => void,
  log: (line: string) => void,
): Promise<Server> {
  const server = createServer(SERVER_OPTIONS, accept);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        new UserError(
          err.code === 'EADDRINUSE'
            ? `the proxy's ${side} port ${String(port)} is in use; pick another with --${side}-port`
            : `the proxy cannot listen on ${host}:${String(port)}: ${err.message}`,
        ),
      );
    });
    server.listen(port, host, () => resolve());
  });
  server.removeAllListeners('error');
  server.on('error', (err) => log(`${side} port: ${err.message}`));
  return server;
}

/** Accepts on the listening socket `fd` (handed back by a relay that stopped accepting). */
export function acceptOnFd(
  fd: number,
  accept: (client: Socket) => void,
  log: (line: string) => void,
): Server {
  const server = createServer(SERVER_OPTIONS, accept);
  server.on('error', (err) => log(`write port: ${err.message}`));
  server.listen({ fd });
  return server;
}

/** The port `server` is bound to (0 when it is not). */
export function boundPort(server: Server | undefined): number {
  const a = server?.address();
  return a && typeof a === 'object' ? a.port : 0;
}

/** Connects to a backend within `timeoutMs`; null when it refuses, times out or goes away. */
export function openBackend(addr: Addr, timeoutMs: number): Promise<Socket | null> {
  const hp = parseAddr(addr);
  if (!hp) return Promise.resolve(null);
  return new Promise((resolve) => {
    const upstream = connect({ host: hp.host, port: hp.port, noDelay: true, allowHalfOpen: true });
    // nothing is read from the backend before the relay takes it over
    upstream.pause();
    const timer = setTimeout(() => upstream.destroy(), timeoutMs);
    upstream.once('connect', () => {
      clearTimeout(timer);
      upstream.removeAllListeners('error');
      resolve(upstream);
    });
    upstream.once('error', () => {
      clearTimeout(timer);
      resolve(null);
    });
    upstream.once('close', () => resolve(null));
  });
}

import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, type ServerType } from '@hono/node-server';
import { UserError } from '../model/index.js';
import { createApp } from './app.js';
import type { AuthOptions } from './auth.js';
import { isLoopback, randomToken } from './auth.js';
import type { Hub } from './hub.js';

export interface DashboardOptions {
  /** @default '127.0.0.1' */
  host: string;
  /** 0 picks a free port. @default 8390 */
  port: number;
  /** The admin token; null generates one (allowed on loopback only). */
  token: string | null;
  viewerToken: string | null;
  readOnly: boolean;
  /** A token for Prometheus that reads /metrics only; null for none. */
  metricsToken: string | null;
  /** Serve /metrics without a token. */
  metricsPublic: boolean;
  /** When `port` is taken, serve on any free port instead of failing (for a default port). */
  fallbackToFreePort?: boolean;
  /** PEM certificate and key to serve HTTPS with; null serves plain HTTP. @default null */
  tls?: { cert: string; key: string } | null;
  /** Serve plain HTTP on an address beyond loopback anyway. @default false */
  insecureHttp?: boolean;
}

export const DEFAULT_DASHBOARD_PORT = 8390;

export interface Dashboard {
  url: string;
  /** The URL with the token, printed once. */
  loginUrl: string;
  token: string;
  close(): Promise<void>;
}

/** dist/server -> the repository root -> web/dist */
export const WEB_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'web', 'dist');

/** Token rules, checked before anything starts: a set token off loopback, 16 characters or more. */
export function checkTokens(
  options: Pick<
    DashboardOptions,
    'token' | 'viewerToken' | 'host' | 'metricsToken' | 'tls' | 'insecureHttp'
  >,
): void {
  if (!isLoopback(options.host) && options.token === null) {
    throw new UserError(
      `refusing to serve the dashboard on ${options.host} with a random token; set one with --token or QUORUM_TOKEN, or keep the default host 127.0.0.1`,
      2,
    );
  }
  if (!isLoopback(options.host) && !options.tls && options.insecureHttp !== true) {
    throw new UserError(
      `refusing to serve the dashboard on ${options.host} over plain HTTP: its tokens and your data would cross the network readable; give it a certificate with --tls-cert and --tls-key, or accept that with --insecure-http`,
      2,
    );
  }
  const given: [string, string | null][] = [
    ['--token', options.token],
    ['--viewer-token', options.viewerToken],
    ['--metrics-token', options.metricsToken],
  ];
  for (const [flag, token] of given) {
    if (token !== null && token.length < 16) {
      throw new UserError(
        `the dashboard token given with ${flag} must be at least 16 characters long; pick a longer one`,
        2,
      );
    }
  }
}

/** Serves the API, the stream and the UI. Refuses a non-loopback address without a set token. */
export async function startDashboard(hub: Hub, options: DashboardOptions): Promise<Dashboard> {
  checkTokens(options);
  const auth: AuthOptions = {
    adminToken: options.token ?? randomToken(),
    viewerToken: options.viewerToken,
    readOnly: options.readOnly,
    metricsToken: options.metricsToken,
    metricsPublic: options.metricsPublic,
  };
  const app = createApp(hub, auth, WEB_ROOT);
  const listen = (port: number) =>
    new Promise<ServerType>((resolve, reject) => {
      const tls = options.tls;
      const s = tls
        ? serve(
            {
              fetch: app.fetch,
              hostname: options.host,
              port,
              createServer: createHttpsServer,
              serverOptions: { cert: tls.cert, key: tls.key },
            },
            () => resolve(s),
          )
        : serve({ fetch: app.fetch, hostname: options.host, port }, () => resolve(s));
      s.once('error', reject);
    });
  let server: ServerType;
  try {
    server = await listen(options.port);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // a port nobody asked for (the default) that is taken: any free port will do
    if (code === 'EADDRINUSE' && options.fallbackToFreePort === true)
      server = await listen(0).catch(() => Promise.reject(err as Error));
    else if (code === 'EADDRINUSE') {
      throw new UserError(
        `the dashboard port ${options.port} on ${options.host} is already in use; pick another with --dashboard-port (0 picks a free one)`,
      );
    } else
      throw new UserError(
        `cannot serve the dashboard on ${options.host}:${options.port}: ${(err as Error).message}`,
      );
  }
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `${options.tls ? 'https' : 'http'}://${host}:${address.port}/`;
  return {
    url,
    loginUrl: `${url}?token=${encodeURIComponent(auth.adminToken)}`,
    token: auth.adminToken,
    close: () =>
      new Promise<void>((resolve) => {
        if ('closeAllConnections' in server) server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

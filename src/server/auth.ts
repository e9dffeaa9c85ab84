import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import type { Role } from './contract.js';

export interface AuthOptions {
  /** Grants admin (or viewer with readOnly). */
  adminToken: string;
  /** Grants viewer; null for none. */
  viewerToken: string | null;
  /** Refuse every action, whatever the token. */
  readOnly: boolean;
  /** A token that may read /metrics only (for Prometheus); null for none. */
  metricsToken: string | null;
  /** Serve /metrics to anyone who can reach the server. */
  metricsPublic: boolean;
}

export function randomToken(): string {
  return randomBytes(24).toString('base64url');
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The role a token grants, or null. */
export function roleOf(auth: AuthOptions, token: string | null): Role | null {
  if (token === null || token === '') return null;
  if (same(token, auth.adminToken)) return auth.readOnly ? 'viewer' : 'admin';
  if (auth.viewerToken !== null && same(token, auth.viewerToken)) return 'viewer';
  return null;
}

/**
 * Sessions for the browser: EventSource cannot send headers, so the UI trades its token for a
 * cookie. The cookie holds a random session id, never the token, and is named after the port
 * (cookies ignore ports, and two dashboards may run on one host). A session grants reads only:
 * a request that changes something must carry the token in its header, which a page on another
 * site cannot make a browser send (no CSRF).
 */
export class Sessions {
  private readonly roles = new Map<string, Role>();

  /**
   * At most `limit` sessions are kept, the oldest forgotten first: a browser logs in again on
   * each reconnect, so without a bound a long-lived tab on a flaky network would grow the map.
   * A forgotten session's stream is refused, and the browser logs in again.
   */
  constructor(private readonly limit = 1000) {}

  /** The cookie name for a server reached at `url`. */
  static cookieName(url: string): string {
    const port = new URL(url).port || '80';
    return `quorum_session_${port}`;
  }

  open(role: Role): string {
    const id = randomBytes(24).toString('base64url');
    this.roles.set(id, role);
    for (const oldest of this.roles.keys()) {
      if (this.roles.size <= this.limit) break;
      this.roles.delete(oldest);
    }
    return id;
  }

  roleOf(id: string | undefined): Role | null {
    return id === undefined ? null : (this.roles.get(id) ?? null);
  }
}

/** The bearer token of a request's `Authorization` header, or null. */
function bearerOf(c: Context): string | null {
  const header = c.req.header('authorization');
  return header?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim() ?? null;
}

/** The role of a request: its bearer token, or (for reads only) its session cookie. */
export function requestRole(
  c: Context,
  auth: AuthOptions,
  sessions: Sessions,
  allowSession: boolean,
): Role | null {
  const bearer = bearerOf(c);
  if (bearer !== null) return roleOf(auth, bearer);
  return allowSession ? sessions.roleOf(getCookie(c, Sessions.cookieName(c.req.url))) : null;
}

/** Whether a request may read /metrics: public, or any of the server's tokens as a bearer. */
export function mayScrape(c: Context, auth: AuthOptions): boolean {
  if (auth.metricsPublic) return true;
  const bearer = bearerOf(c);
  if (bearer === null) return false;
  return (
    roleOf(auth, bearer) !== null || (auth.metricsToken !== null && same(bearer, auth.metricsToken))
  );
}

/** Whether an address to bind to is loopback only. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\./.test(host);
}

import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import type { Role } from './contract.js';

export const SESSION_COOKIE = 'quorum_session';

export interface AuthOptions {
  /** Grants admin (or viewer with readOnly). */
  adminToken: string;
  /** Grants viewer; null for none. */
  viewerToken: string | null;
  /** Refuse every action, whatever the token. */
  readOnly: boolean;
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
 * The token of a request: the `Authorization: Bearer` header, or the session cookie the UI gets
 * from POST /api/session. The cookie counts for reads and the stream only (EventSource cannot
 * send headers); a request that changes something must carry the header, which a page on
 * another site cannot make a browser send (no CSRF).
 */
export function tokenOf(c: Context, allowCookie: boolean): string | null {
  const header = c.req.header('authorization');
  const bearer = header?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim();
  if (bearer) return bearer;
  return allowCookie ? (getCookie(c, SESSION_COOKIE) ?? null) : null;
}

/** Whether an address to bind to is loopback only. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\./.test(host);
}

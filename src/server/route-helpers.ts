import type { z } from 'zod';
import type { Context, Next } from 'hono';
import { validator } from 'hono/validator';
import { ActionError } from './actions.js';
import type { AuthOptions } from './auth.js';
import { requestRole } from './auth.js';
import type { Sessions } from './auth.js';
import type { ApiError, Role } from './contract.js';

/** What every route shares: the token check, body validation, the admin check, error answers. */

export type Env = { Variables: { role: Role } };

export function requireToken(auth: AuthOptions, sessions: Sessions) {
  return async (c: Context<Env>, next: Next) => {
    const changes = c.req.method !== 'GET' && c.req.method !== 'HEAD';
    const role = requestRole(c, auth, sessions, !changes);
    if (!role)
      return c.json<ApiError>(
        { error: 'a valid token is required (Authorization: Bearer TOKEN, as printed at start)' },
        401,
      );
    c.set('role', role);
    await next();
  };
}

function issuePath(issue: { path: PropertyKey[]; message: string }): string {
  return issue.path.length > 0 ? issue.path.map(String).join('.') : 'body';
}

/** Validates a JSON body with a zod schema; a bad one gets 400 naming the field. */
export function jsonBody<T>(schema: z.ZodType<T>) {
  return validator('json', (value, c): T | Response => {
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    const field = issue ? issuePath(issue) : 'body';
    return c.json<ApiError>(
      { error: `invalid '${field}': ${issue?.message ?? 'bad request'}` },
      400,
    );
  });
}

export function adminOnly(c: Context<Env>, auth: AuthOptions) {
  if (c.var.role === 'admin') return null;
  const why = auth.readOnly
    ? 'this dashboard runs with --read-only'
    : 'this token is for viewing only';
  return c.json<ApiError>({ error: `actions need the admin role; ${why}` }, 403);
}

/** An ActionError as its status and sentence; anything else goes on to the error handler. */
export function actionError(c: Context<Env>, err: unknown) {
  if (err instanceof ActionError) return c.json<ApiError>({ error: err.message }, err.status);
  throw err;
}

export function noDeployment(c: Context<Env>) {
  return c.json<ApiError>({ error: `no deployment named '${c.req.param('name') ?? ''}'` }, 404);
}

import type { Addr } from '../model/index.js';
import type { Access } from './access.js';
import { describeAccessError } from './access-errors.js';
import { RedisCallError } from './call-error.js';
import { ReplyShapeError } from './reply-shape.js';

export { RedisCallError };

function code(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const value = err.code;
    return typeof value === 'string' ? value : undefined;
  }
  return undefined;
}

/** A TLS connection that never became ready: the usual cause is a plain port. */
export function tlsConnectTimeout(addr: Addr): RedisCallError {
  return new RedisCallError(
    `${addr} did not finish connecting over TLS in time (a plain port never finishes the TLS handshake: if it is one, drop --tls or use its tls-port)`,
    'timeout',
  );
}

/** What the connection was made with, for sentences about TLS and credentials. */
export interface ErrorContext {
  access: Access;
  /** Whether a connection had been established before the error. @default false */
  connected?: boolean;
  /** When the server's certificate expired, once known. */
  expiredOn?: string | null;
}

/** Turns a connection or reply error into one sentence about `addr`. */
export function describeRedisError(
  addr: Addr,
  err: unknown,
  context?: ErrorContext,
): RedisCallError {
  if (err instanceof RedisCallError) return err;
  if (err instanceof ReplyShapeError)
    return new RedisCallError(`${addr} answered ${err.command} with ${err.what}`, 'protocol');
  const text = err instanceof Error ? err.message : String(err);
  const c = code(err);
  if (context) {
    const { access, connected = false, expiredOn = null } = context;
    const told = describeAccessError(addr, err, access, connected, expiredOn);
    if (told) return told;
    if (access.tls && (c === 'ETIMEDOUT' || /^connect ETIMEDOUT/i.test(text)))
      return tlsConnectTimeout(addr);
  }
  if (c === 'ECONNREFUSED' || text.includes('ECONNREFUSED')) {
    return new RedisCallError(`${addr} refused the connection (nothing listens there)`, 'refused');
  }
  const isReply = err instanceof Error && err.name === 'ReplyError';
  if (c === 'ETIMEDOUT' || (!isReply && /^(connect ETIMEDOUT|Command timed out)/i.test(text))) {
    return new RedisCallError(`${addr} did not answer in time`, 'timeout');
  }
  if (c === 'EHOSTUNREACH' || c === 'ENETUNREACH' || c === 'ENOTFOUND' || c === 'EAI_AGAIN') {
    return new RedisCallError(`${addr} cannot be reached (${c})`, 'unreachable');
  }
  if (/protocol error/i.test(text)) {
    return new RedisCallError(
      `${addr} does not speak the Redis protocol (is it the right port?)`,
      'protocol',
    );
  }
  if (/WRONGPASS|invalid password|invalid username-password/i.test(text)) {
    return new RedisCallError(`${addr} rejected the password (check --password)`, 'auth');
  }
  if (/NOAUTH/i.test(text)) {
    return new RedisCallError(`${addr} requires a password (pass --password)`, 'auth');
  }
  if (
    c === 'ECONNRESET' ||
    /Connection is closed|connection closed|Stream isn't writeable/i.test(text)
  ) {
    return new RedisCallError(`${addr} closed the connection`, 'unreachable');
  }
  return new RedisCallError(
    `${addr} replied with an error: ${text.split('\n')[0] ?? text}`,
    'reply',
  );
}

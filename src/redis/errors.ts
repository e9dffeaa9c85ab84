import type { Addr } from '../model/index.js';
import { ReplyShapeError } from './reply-shape.js';

/** Raised by a link when a call cannot complete; `message` is one sentence for a person. */
export class RedisCallError extends Error {
  constructor(
    message: string,
    readonly reason: 'refused' | 'timeout' | 'protocol' | 'auth' | 'reply' | 'unreachable',
  ) {
    super(message);
    this.name = 'RedisCallError';
  }
}

function code(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const value = err.code;
    return typeof value === 'string' ? value : undefined;
  }
  return undefined;
}

/** Turns a connection or reply error into one sentence about `addr`. */
export function describeRedisError(addr: Addr, err: unknown): RedisCallError {
  if (err instanceof RedisCallError) return err;
  if (err instanceof ReplyShapeError)
    return new RedisCallError(`${addr} answered ${err.command} with ${err.what}`, 'protocol');
  const text = err instanceof Error ? err.message : String(err);
  const c = code(err);
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

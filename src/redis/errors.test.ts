import { describe, expect, it } from 'vitest';
import { describeRedisError, RedisCallError } from './errors.js';

const ADDR = '127.0.0.1:6390';

/** An error as Node's net module raises it: a message plus a `code`. */
function systemError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('describeRedisError', () => {
  it('names the address and says nothing listens for ECONNREFUSED', () => {
    const err = describeRedisError(
      ADDR,
      systemError(`connect ECONNREFUSED ${ADDR}`, 'ECONNREFUSED'),
    );
    expect(err).toBeInstanceOf(RedisCallError);
    expect(err.reason).toBe('refused');
    expect(err.message).toBe(`${ADDR} refused the connection (nothing listens there)`);
  });

  it('recognises ECONNREFUSED from the message alone', () => {
    expect(describeRedisError(ADDR, new Error(`connect ECONNREFUSED ${ADDR}`)).reason).toBe(
      'refused',
    );
  });

  it('says the port does not speak Redis for a protocol error', () => {
    const err = describeRedisError(ADDR, new Error('Protocol error, got "H" as reply type byte'));
    expect(err.reason).toBe('protocol');
    expect(err.message).toContain(ADDR);
    expect(err.message).toMatch(/does not speak the Redis protocol/);
  });

  it('says the password was rejected for WRONGPASS', () => {
    const err = describeRedisError(
      ADDR,
      new Error('WRONGPASS invalid username-password pair or user is disabled.'),
    );
    expect(err.reason).toBe('auth');
    expect(err.message).toBe(`${ADDR} rejected the password (check --password)`);
  });

  it('says a password is needed for NOAUTH', () => {
    const err = describeRedisError(ADDR, new Error('NOAUTH Authentication required.'));
    expect(err.reason).toBe('auth');
    expect(err.message).toBe(`${ADDR} requires a password (pass --password)`);
  });

  it('quotes a plain error reply', () => {
    const err = describeRedisError(
      ADDR,
      new Error("ERR unknown command 'SENTINEL', with args beginning with: 'MASTER' 'mymaster' "),
    );
    expect(err.reason).toBe('reply');
    expect(err.message).toBe(
      `${ADDR} replied with an error: ERR unknown command 'SENTINEL', with args beginning with: 'MASTER' 'mymaster' `,
    );
  });

  it('quotes only the first line of a multi-line error', () => {
    expect(describeRedisError(ADDR, new Error('ERR first\nsecond')).message).toBe(
      `${ADDR} replied with an error: ERR first`,
    );
  });

  it('describes a thrown non-Error', () => {
    expect(describeRedisError(ADDR, 'ERR no such key').message).toBe(
      `${ADDR} replied with an error: ERR no such key`,
    );
  });

  it('says the address did not answer in time for ETIMEDOUT', () => {
    const err = describeRedisError(ADDR, systemError('connect ETIMEDOUT', 'ETIMEDOUT'));
    expect(err.reason).toBe('timeout');
    expect(err.message).toBe(`${ADDR} did not answer in time`);
    expect(describeRedisError(ADDR, new Error('Command timed out')).reason).toBe('timeout');
  });

  it('names the code when the host cannot be reached', () => {
    const err = describeRedisError(
      'redis.invalid:6379',
      systemError('getaddrinfo ENOTFOUND redis.invalid', 'ENOTFOUND'),
    );
    expect(err.reason).toBe('unreachable');
    expect(err.message).toBe('redis.invalid:6379 cannot be reached (ENOTFOUND)');
  });

  it('says the connection was closed', () => {
    expect(describeRedisError(ADDR, new Error('Connection is closed.'))).toMatchObject({
      reason: 'unreachable',
      message: `${ADDR} closed the connection`,
    });
    expect(describeRedisError(ADDR, systemError('read ECONNRESET', 'ECONNRESET')).reason).toBe(
      'unreachable',
    );
  });

  it('passes a RedisCallError through unchanged', () => {
    const original = new RedisCallError(
      '127.0.0.1:6391 did not answer INFO within 1000 ms',
      'timeout',
    );
    expect(describeRedisError(ADDR, original)).toBe(original);
  });

  it('describes an error reply that mentions a timeout as a reply', () => {
    const err = describeRedisError(
      ADDR,
      new Error("ERR Invalid argument 'soon' for SENTINEL SET 'failover-timeout'"),
    );
    expect(err.reason).toBe('reply');
  });
});

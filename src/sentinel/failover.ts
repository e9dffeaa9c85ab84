import type { Access } from '../redis/index.js';
import type { Addr } from '../model/index.js';
import { UserError } from '../model/index.js';
import { describeRedisError, RedisLink } from '../redis/index.js';

/**
 * SENTINEL FAILOVER on the first sentinel that accepts it; returns that sentinel. A failover
 * already under way or no promotable replica is the same answer from every sentinel, so it is
 * not asked again elsewhere.
 */
export async function sentinelFailover(
  sentinels: Addr[],
  masterName: string,
  sentinelAccess: Access,
): Promise<Addr> {
  if (sentinels.length === 0)
    throw new UserError(`no sentinel answers, so none can fail '${masterName}' over`);
  const failures: string[] = [];
  for (const addr of sentinels) {
    const link = new RedisLink(addr, {
      timeoutMs: 3000,
      access: sentinelAccess,
      connectionName: 'quorum-action',
    });
    try {
      await link.call('SENTINEL', 'FAILOVER', masterName);
      return addr;
    } catch (err) {
      const message = describeRedisError(addr, err).message;
      if (/INPROG|NOGOODSLAVE/i.test(message)) throw new UserError(message);
      failures.push(message);
    } finally {
      await link.close();
    }
  }
  throw new UserError(`no sentinel accepted the failover: ${failures.join('; ')}`);
}

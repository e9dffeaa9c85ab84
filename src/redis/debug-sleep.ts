import type { Access } from './access.js';
import type { Addr } from '../model/index.js';
import { describeRedisError } from './errors.js';
import { RedisLink } from './link.js';

/** How long an immediate refusal (DEBUG disabled, renamed, wrong password) takes to arrive. */
const REFUSAL_WINDOW_MS = 200;

/**
 * Starts `DEBUG SLEEP seconds` on a node on a connection of its own. Resolves once the node
 * sleeps, with `woke` resolving when it answers again (to null, or to why the call ended
 * otherwise; it never rejects); rejects with one sentence when the node refuses at once (Redis 7
 * allows DEBUG only with `enable-debug-command`).
 */
export async function startDebugSleep(
  addr: Addr,
  access: Access,
  seconds: number,
): Promise<{ woke: Promise<string | null> }> {
  const link = new RedisLink(addr, {
    timeoutMs: seconds * 1000 + 5000,
    access,
    connectionName: 'quorum-debug-sleep',
  });
  const sleeping = link.call('DEBUG', 'SLEEP', String(seconds)).then(() => undefined);
  const early = await Promise.race([
    sleeping.then(
      () => 'answered' as const,
      (err: unknown) => ({ err }),
    ),
    new Promise<'sleeping'>((r) => setTimeout(() => r('sleeping'), REFUSAL_WINDOW_MS)),
  ]);
  if (typeof early === 'object') {
    await link.close();
    throw describeRedisError(addr, early.err);
  }
  const woke = sleeping
    .then(
      () => null,
      (err: unknown) => describeRedisError(addr, err).message,
    )
    .finally(() => void link.close());
  return { woke };
}

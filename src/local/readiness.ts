import { UserError } from '../model/index.js';
import type { Access } from '../redis/index.js';
import { RedisLink } from '../redis/index.js';
import type { SupervisedProcess } from './process.js';
import { tailOf } from './process.js';

/** Time for one process to answer PING after it was spawned. */
const ANSWER_TIMEOUT_MS = 10_000;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Waits until a process just spawned answers PING. A process that exits meanwhile, or does not
 * answer in time, is a UserError naming it and quoting its own last words.
 */
export async function waitForAnswer(
  proc: SupervisedProcess,
  addr: string,
  access: Access,
  checkInterrupted: () => void,
): Promise<void> {
  const link = new RedisLink(addr, {
    timeoutMs: 1000,
    access,
    connectionName: 'quorum-supervisor',
  });
  const deadline = Date.now() + ANSWER_TIMEOUT_MS;
  try {
    for (;;) {
      checkInterrupted();
      if (proc.getState() !== 'running') {
        const why = tailOf(proc.outputLog) || tailOf(proc.serverLog) || 'no output';
        throw new UserError(`${proc.plan.name} (${addr}) exited while starting: ${why}`);
      }
      try {
        await link.call('PING');
        return;
      } catch (err) {
        if (Date.now() > deadline) {
          throw new UserError(
            `${proc.plan.name} (${addr}) did not answer within ${ANSWER_TIMEOUT_MS / 1000} s: ${(err as Error).message}; see ${proc.serverLog}`,
          );
        }
      }
      await sleep(100);
    }
  } finally {
    await link.close();
  }
}

/**
 * On a first start, lets the replicas connect to the master before the sentinels look at it, so
 * the sentinels' first INFO already lists them. Gives up quietly after ANSWER_TIMEOUT_MS: the
 * health check that follows says what is wrong.
 */
export async function waitForReplicas(
  master: string,
  access: Access,
  replicas: number,
): Promise<void> {
  const link = new RedisLink(master, {
    timeoutMs: 1000,
    access,
    connectionName: 'quorum-supervisor',
  });
  const deadline = Date.now() + ANSWER_TIMEOUT_MS;
  try {
    while (Date.now() < deadline) {
      const info = await link.call('INFO', 'replication').catch(() => '');
      if (typeof info === 'string' && !info.includes('role:master')) return;
      const online = typeof info === 'string' ? (info.match(/state=online/g) ?? []).length : 0;
      if (online >= replicas) return;
      await sleep(100);
    }
  } finally {
    await link.close();
  }
}

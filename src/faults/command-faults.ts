import type { Addr } from '../model/index.js';
import { RedisLink } from '../redis/index.js';
import type { Fault, FaultContext } from './fault.js';
import { sleep } from './fault.js';

const nothingToHeal = () => Promise.resolve('nothing to heal');

/** Sends one SENTINEL command to the first sentinel that accepts it. */
async function onSentinel(ctx: FaultContext, command: string[]): Promise<string> {
  const failures: string[] = [];
  for (const s of ctx.before.sentinels) {
    const link = new RedisLink(s.addr, {
      timeoutMs: 3000,
      password: ctx.sentinelPassword,
      connectionName: 'quorum-drill',
    });
    try {
      await link.call('SENTINEL', ...command);
      return `sent SENTINEL ${command.join(' ')} to ${s.addr}`;
    } catch (err) {
      failures.push(err instanceof Error ? err.message : String(err));
    } finally {
      await link.close();
    }
  }
  throw new Error(`no sentinel accepted SENTINEL ${command.join(' ')}: ${failures.join('; ')}`);
}

/** Sends DEBUG SLEEP without waiting for the answer (it comes when the node wakes up). */
async function debugSleep(addr: Addr, password: string | null, seconds: number): Promise<void> {
  const link = new RedisLink(addr, {
    timeoutMs: seconds * 1000 + 5000,
    password,
    connectionName: 'quorum-drill',
  });
  link.call('DEBUG', 'SLEEP', String(seconds)).then(
    () => void link.close(),
    () => void link.close(),
  );
  await sleep(100);
}

/** SENTINEL FAILOVER: a switch "as if the master was not reachable", with no agreement asked. */
export const sentinelFailover: Fault = {
  needsProcesses: false,
  inject: (ctx) => onSentinel(ctx, ['FAILOVER', ctx.masterName]),
  heal: nothingToHeal,
};

/** DEBUG SLEEP on the master for `seconds(downAfterMs)`: the whole server stops answering. */
export function debugSleepMaster(seconds: (downAfterMs: number) => number): Fault {
  return {
    needsProcesses: false,
    async inject(ctx) {
      const master = ctx.before.agreement.master;
      if (!master) throw new Error('the sentinels agree on no master to put to sleep');
      const s = seconds(ctx.downAfterMs);
      await debugSleep(master, ctx.password, s);
      return `DEBUG SLEEP ${s} on ${master}`;
    },
    heal: () => Promise.resolve('the node wakes up by itself'),
  };
}

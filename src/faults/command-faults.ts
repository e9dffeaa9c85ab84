import type { Addr } from '../model/index.js';
import { safeSwitchover, sentinelFailover as askFailover } from '../admin/index.js';
import { RedisLink } from '../redis/index.js';
import type { Fault } from './fault.js';
import { sleep } from './fault.js';

const nothingToHeal = () => Promise.resolve('nothing to heal');

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
  async inject(ctx) {
    const by = await askFailover(
      ctx.before.sentinels.map((s) => s.addr),
      ctx.masterName,
      ctx.sentinelPassword,
    );
    return `sent SENTINEL FAILOVER ${ctx.masterName} to ${by}`;
  },
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

/** quorum's switchover (src/admin): writes paused, replicas caught up, the old master demoted at once. */
export const pausedSwitchover: Fault = {
  needsProcesses: false,
  async inject(ctx) {
    const master = ctx.before.agreement.master;
    if (!master) throw new Error('the sentinels agree on no master to switch over from');
    ctx.tookEffect();
    const result = await safeSwitchover({
      masterName: ctx.masterName,
      master,
      replicas: ctx.before.nodes
        .filter((n) => n.up && n.role === 'replica' && n.replication.masterAddr === master)
        .map((n) => n.addr),
      sentinels: ctx.before.sentinels.map((s) => s.addr),
      password: ctx.password,
      sentinelPassword: ctx.sentinelPassword,
    });
    return result.message;
  },
  heal: nothingToHeal,
};

import {
  safeSwitchover,
  sentinelFailover as askFailover,
  switchoverParties,
} from '../sentinel/index.js';
import { agreedMaster, sentinelsOf } from '../model/index.js';
import { startDebugSleep } from '../redis/index.js';
import type { Fault } from './fault.js';

const nothingToHeal = () => Promise.resolve('nothing to heal');

/** SENTINEL FAILOVER: a switch "as if the master was not reachable", with no agreement asked. */
export const sentinelFailover: Fault = {
  needsProcesses: false,
  async inject(ctx) {
    const by = await askFailover(
      sentinelsOf(ctx.before).map((s) => s.addr),
      ctx.masterName,
      ctx.sentinelAccess,
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
      const master = agreedMaster(ctx.before);
      if (!master) throw new Error('the sentinels agree on no master to put to sleep');
      const s = seconds(ctx.downAfterMs);
      await startDebugSleep(master, ctx.access, s);
      return `DEBUG SLEEP ${String(s)} on ${master}`;
    },
    heal: () => Promise.resolve('the node wakes up by itself'),
  };
}

/** quorum's switchover (src/sentinel): writes paused, replicas caught up, the old master demoted at once. */
export const pausedSwitchover: Fault = {
  needsProcesses: false,
  async inject(ctx) {
    const parties = ctx.before.kind === 'sentinel' ? switchoverParties(ctx.before) : null;
    if (!parties) throw new Error('the sentinels agree on no master to switch over from');
    ctx.tookEffect();
    const result = await safeSwitchover({
      masterName: ctx.masterName,
      ...parties,
      access: ctx.access,
      sentinelAccess: ctx.sentinelAccess,
    });
    return result.message;
  },
  heal: nothingToHeal,
};

import { describe, expect, it } from 'vitest';
import type { QuorumEvent } from './event.js';
import { failoverStartMs } from './failover.js';

function event(
  ms: number,
  type: string,
  subjectType: 'master' | 'slave' | null = null,
): QuorumEvent {
  return {
    id: `${type}-${ms}`,
    ms,
    deployment: 'mymaster',
    type,
    source: 'sentinel',
    message: '',
    subject:
      subjectType === null
        ? null
        : { type: subjectType, name: 'x', addr: 'a:1', masterName: null, masterAddr: null },
    switch: null,
    reports: [],
    detail: {},
  };
}

describe('failoverStartMs', () => {
  it('starts at the first +sdown of the master, not of a replica', () => {
    const sw = event(9000, '+switch-master');
    const events = [
      event(1000, '+sdown', 'slave'),
      event(3000, '+sdown', 'master'),
      event(3100, '+odown', 'master'),
      event(3200, '+try-failover', 'master'),
      sw,
    ];
    expect(failoverStartMs(events, sw)).toBe(3000);
  });

  it('starts at +try-failover for a manual failover', () => {
    const sw = event(2000, '+switch-master');
    expect(
      failoverStartMs([event(1000, '+new-epoch'), event(1100, '+try-failover', 'master'), sw], sw),
    ).toBe(1100);
  });

  it('does not reach back past the previous +switch-master, nor five minutes', () => {
    const sw = event(400_000, '+switch-master');
    const earlier = [event(1000, '+sdown', 'master'), event(2000, '+switch-master')];
    expect(failoverStartMs([...earlier, sw], sw)).toBeNull();
    expect(failoverStartMs([event(10_000, '+odown', 'master'), sw], sw)).toBeNull();
  });
});

describe('failoverStartMs on a cluster', () => {
  const on = (e: QuorumEvent, detail: QuorumEvent['detail']): QuorumEvent => ({ ...e, detail });
  it("starts at the old master's first PFAIL, ignoring other nodes and earlier failovers", () => {
    const sw = on(event(9000, 'quorum:cluster-failover'), { from: 'a:1', to: 'b:1' });
    const events = [
      on(event(500, 'quorum:node-pfail'), { addr: 'a:1' }),
      on(event(800, 'quorum:cluster-failover'), { from: 'a:1', to: 'c:1' }),
      on(event(1000, 'quorum:node-pfail'), { addr: 'z:1' }),
      on(event(6000, 'quorum:node-pfail'), { addr: 'a:1' }),
      on(event(7000, 'quorum:node-fail'), { addr: 'a:1' }),
      sw,
    ];
    expect(failoverStartMs(events, sw)).toBe(6000);
    expect(failoverStartMs(events.slice(2), sw)).toBe(6000);
    expect(failoverStartMs([sw], sw)).toBeNull();
  });
});

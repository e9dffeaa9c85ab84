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

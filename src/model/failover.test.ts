import { describe, expect, it } from 'vitest';
import type { QuorumEvent } from './event.js';
import { failoverStartMs, failoverTiming } from './failover.js';

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

describe('failoverTiming', () => {
  const quorumEvent = (ms: number, type: string, detail: QuorumEvent['detail']): QuorumEvent => ({
    ...event(ms, type),
    source: 'quorum',
    detail,
  });
  const switched = (ms: number): QuorumEvent => ({
    ...event(ms, '+switch-master'),
    switch: { masterName: 'mymaster', from: 'a:1', to: 'b:1' },
  });
  const sdown = (ms: number) => event(ms, '+sdown', 'master');

  it("times detection and the new master from the old master's exit", () => {
    const sw = switched(16_300);
    const events = [
      quorumEvent(9000, 'quorum:node-down', { addr: 'a:1', lastSeenMs: 9800 }),
      quorumEvent(10_000, 'quorum:process-exited', { addr: 'a:1' }),
      quorumEvent(10_100, 'quorum:node-down', { addr: 'b:1', lastSeenMs: 9900 }),
      sdown(15_000),
      event(15_100, '+odown', 'master'),
      sw,
    ];
    expect(failoverTiming(events, sw)).toEqual({
      from: 'a:1',
      to: 'b:1',
      downMs: 10_000,
      downBasis: 'exit',
      detectedMs: 15_000,
      switchedMs: 16_300,
      manual: false,
    });
  });

  it('takes quorum stopping it, else the last poll that reached it; faults elsewhere count for nothing', () => {
    const sw = switched(20_000);
    const down = quorumEvent(12_000, 'quorum:node-down', { addr: 'a:1', lastSeenMs: 11_500 });
    const elsewhere = [
      quorumEvent(1000, 'quorum:fault-injected', { network: '{}' }),
      quorumEvent(2000, 'quorum:process-exited', { addr: 'c:1' }),
      quorumEvent(2100, 'quorum:action', { action: 'kill', addr: 'c:1' }),
    ];
    expect(failoverTiming([...elsewhere, down, sdown(16_000), sw], sw)).toMatchObject({
      downMs: 11_500,
      downBasis: 'last-contact',
    });
    const frozen = quorumEvent(11_000, 'quorum:action', { action: 'freeze', addr: 'a:1' });
    expect(failoverTiming([...elsewhere, frozen, down, sdown(16_000), sw], sw)).toMatchObject({
      downMs: 11_000,
      downBasis: 'stopped',
    });
  });

  it('forgets a loss the master came back from, and one after the first sign', () => {
    const sw = switched(30_000);
    const events = [
      quorumEvent(1000, 'quorum:process-exited', { addr: 'a:1' }),
      quorumEvent(2000, 'quorum:action', { action: 'start', addr: 'a:1' }),
      quorumEvent(3000, 'quorum:node-up', { addr: 'a:1' }),
      sdown(25_000),
      quorumEvent(26_000, 'quorum:action', { action: 'kill', addr: 'a:1' }),
      sw,
    ];
    expect(failoverTiming(events, sw)).toMatchObject({ downMs: null, detectedMs: 25_000 });
  });

  it('gives a failover no master down forced no loss, even after an exit: a switchover is asked for', () => {
    const sw = switched(60_000);
    const exited = quorumEvent(10_000, 'quorum:process-exited', { addr: 'a:1' });
    expect(
      failoverTiming([exited, event(59_100, '+try-failover', 'master'), sw], sw),
    ).toMatchObject({ manual: true, downMs: null, detectedMs: 59_100 });
  });

  it("times a cluster shard's failover from its old master's exit", () => {
    const sw = quorumEvent(9000, 'quorum:cluster-failover', { from: 'a:1', to: 'c:1' });
    const events = [
      quorumEvent(1000, 'quorum:process-exited', { addr: 'a:1' }),
      quorumEvent(6000, 'quorum:node-pfail', { addr: 'a:1' }),
      sw,
    ];
    expect(failoverTiming(events, sw)).toMatchObject({
      from: 'a:1',
      to: 'c:1',
      downMs: 1000,
      downBasis: 'exit',
      detectedMs: 6000,
      manual: false,
    });
    expect(failoverTiming([sw], sw)).toMatchObject({ manual: true, detectedMs: null });
  });
});

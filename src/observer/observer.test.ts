import { OPEN_ACCESS } from '../redis/index.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { HeldPort } from '../redis/held-port.fixture.js';
import { holdPort } from '../redis/held-port.fixture.js';
import { FakeRedis } from '../redis/fake-resp.fixture.js';
import { Observer } from './observer.js';

const held: HeldPort[] = [];
afterEach(async () => {
  await Promise.all(held.splice(0).map((port) => port.release()));
});

/** An address that refuses connections until the test ends, whatever runs beside it. */
async function deadAddr(): Promise<string> {
  const port = await holdPort();
  held.push(port);
  return port.addr;
}

async function observerOfNothing(): Promise<{
  observer: Observer;
  sentinel: string;
  node: string;
}> {
  const sentinel = await deadAddr();
  const node = await deadAddr();
  const observer = new Observer(
    {
      kind: 'sentinel',
      name: 'test',
      masterName: 'test',
      sentinels: [sentinel],
      nodes: [node],
      access: OPEN_ACCESS,
      sentinelAccess: OPEN_ACCESS,
    },
    // the refusal comes a turn of the event loop later: on a busy machine, later than a short
    // timeout, which would leave the links still connecting
    { timeoutMs: 5000, pollIntervalMs: 60_000, subscribe: true },
  );
  return { observer, sentinel, node };
}

describe('Observer states', () => {
  it('goes idle -> starting -> watching -> stopping -> stopped, and polls no more once stopped', async () => {
    const { observer } = await observerOfNothing();
    expect(observer.state).toBe('idle');
    const starting = observer.start();
    expect(observer.state).toBe('starting');
    const first = await starting;
    expect(observer.state).toBe('watching');
    const stopping = observer.stop();
    expect(observer.state).toBe('stopping');
    await stopping;
    expect(observer.state).toBe('stopped');
    await expect(observer.poll()).resolves.toBe(first);
    await expect(observer.stop()).resolves.toBeUndefined();
    await expect(observer.start()).rejects.toThrow('observer: no move from stopped to starting');
  });

  it('may stop without ever starting', async () => {
    const { observer } = await observerOfNothing();
    await observer.stop();
    expect(observer.state).toBe('stopped');
    await expect(observer.poll()).rejects.toThrow('the observer is stopped');
  });

  it('reports each link: the sentinel, its events and the node, down with the reason', async () => {
    const { observer, sentinel, node } = await observerOfNothing();
    try {
      await observer.poll();
      const reports = observer.linkReports();
      expect(reports.map((r) => [r.purpose, r.addr])).toEqual([
        ['sentinel', sentinel],
        ['sentinel-events', sentinel],
        ['node', node],
      ]);
      for (const report of [reports[0], reports[2]]) {
        expect(report?.state).toBe('down');
        expect(report?.lastError).toMatch(/refused the connection/);
      }
      expect(reports[1]?.state).toBe('subscribing');
    } finally {
      await observer.stop();
    }
    expect(observer.linkReports().map((r) => r.state)).toEqual(['closed', 'closed', 'closed']);
  });
});

describe('a sentinel whose replies have the wrong shape', () => {
  it('is shown down as not a sentinel, never up, and the poll is counted as failed', async () => {
    // answers +OK to every SENTINEL command: no real sentinel does
    const fake = new FakeRedis();
    await fake.listen();
    const observer = new Observer(
      {
        kind: 'sentinel',
        name: 'test',
        masterName: 'test',
        sentinels: [fake.addr],
        nodes: [],
        access: OPEN_ACCESS,
        sentinelAccess: OPEN_ACCESS,
      },
      { timeoutMs: 5000, pollIntervalMs: 60_000, subscribe: false },
    );
    try {
      const topology = await observer.poll();
      const sentinel = topology.kind === 'sentinel' ? topology.sentinels[0] : undefined;
      expect(sentinel?.up).toBe(false);
      expect(sentinel?.downReason).toBe(
        `${fake.addr} is not a sentinel: it answered SENTINEL MASTER with a string ("OK"), not a list of field/value pairs`,
      );
      expect(sentinel?.ckquorum).toBeNull();
      expect(observer.stats().failing).toBe('no node or sentinel answered (1 of 1 reads failed)');
    } finally {
      await observer.stop();
      await fake.stop();
    }
  });
});

describe('a poll that throws', () => {
  it('is counted, rejects its callers, and is said once in the events', async () => {
    const { observer } = await observerOfNothing();
    const said: string[] = [];
    observer.bus.on('event', (e) => said.push(`${e.type}: ${e.message}`));
    // a consumer that throws on every topology fails the poll that publishes it
    observer.bus.on('topology', () => {
      throw new Error('a consumer broke');
    });
    try {
      await expect(observer.poll()).rejects.toThrow('a consumer broke');
      await expect(observer.poll()).rejects.toThrow('a consumer broke');
      expect(observer.stats()).toMatchObject({ failedPolls: 2, failing: 'a consumer broke' });
      expect(said).toEqual(['quorum:observer-failing: polls of test fail: a consumer broke']);
    } finally {
      await observer.stop();
    }
  });
});

import { describe, expect, it } from 'vitest';
import type { WriteOutcome } from './ledger.js';
import { TIMEOUT, within, Writers } from './writers.js';
import { parseReply } from './workload-wire.js';

/** Writers whose "server" answers each write as `answer` says, with no I/O. */
class FakeWriters extends Writers {
  closed = 0;

  constructor(
    private readonly answer: (value: string) => Promise<unknown>,
    private readonly failOpen = false,
    readonly said: string[] = [],
  ) {
    super((line) => said.push(line));
  }

  protected open(): Promise<void> {
    this.writer(0, 2, async (value) => ({
      outcome: await Writers.attempt(this.answer(value), 50, (): WriteOutcome => 'fail'),
      node: 'n1',
    }));
    this.reader(2, 50, () => Promise.resolve(1));
    return this.failOpen ? Promise.reject(new Error('no server')) : Promise.resolve();
  }

  protected close(): Promise<void> {
    this.closed++;
    return Promise.resolve();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Writers', () => {
  it('goes idle -> running -> stopping -> stopped, records every outcome, closes once', async () => {
    let n = 0;
    let thirdSent: () => void = () => undefined;
    const third = new Promise<void>((resolve) => (thirdSent = resolve));
    const writers = new FakeWriters(() => {
      if (n === 2) thirdSent();
      return n++ % 3 === 2 ? Promise.reject(new Error('READONLY')) : Promise.resolve(1);
    });
    expect(writers.state).toBe('idle');
    await writers.start();
    expect(writers.state).toBe('running');
    // the stop lets the write under way finish: the third, the first one refused, is recorded
    await third;
    const ledger = await writers.stop();
    expect(writers.state).toBe('stopped');
    await writers.stop();
    expect(writers.closed).toBe(1);
    expect(writers.said).toEqual([
      'writers: idle -> running',
      'writers: running -> stopping',
      'writers: stopping -> stopped',
    ]);
    const outcomes = new Set(ledger.writes.map((w) => w.outcome));
    expect(outcomes).toEqual(new Set(['ack', 'fail']));
    expect(ledger.writes[0]).toMatchObject({ value: '0:0', writer: 0, node: 'n1' });
    expect(ledger.writes.map((w) => w.value)).toEqual(ledger.writes.map((_, i) => `0:${i}`));
    expect(ledger.reads.length).toBeGreaterThan(0);
    const count = ledger.writes.length;
    await sleep(10);
    expect(ledger.writes.length).toBe(count);
  });

  it('counts a write with no answer in time as indeterminate, and the stop waits for it', async () => {
    let sent: () => void = () => undefined;
    const firstSent = new Promise<void>((resolve) => (sent = resolve));
    const writers = new FakeWriters(() => {
      sent();
      return new Promise(() => undefined);
    });
    await writers.start();
    await firstSent;
    const ledger = await writers.stop();
    expect(ledger.writes.length).toBeGreaterThan(0);
    expect(ledger.writes.every((w) => w.outcome === 'indeterminate')).toBe(true);
    expect(ledger.writes.every((w) => w.endMs - w.startMs >= 45)).toBe(true);
  });

  it('stops and closes after a failed start; a stop before the start closes nothing', async () => {
    const failed = new FakeWriters(() => Promise.resolve(1), true);
    await expect(failed.start()).rejects.toThrow('no server');
    await failed.stop();
    expect([failed.state, failed.closed]).toEqual(['stopped', 1]);
    await expect(failed.start()).rejects.toThrow('the writers cannot start when stopped');
    const never = new FakeWriters(() => Promise.resolve(1));
    await never.stop();
    expect([never.state, never.closed]).toEqual(['stopped', 0]);
  });

  it('within gives the value, or TIMEOUT past the time', async () => {
    expect(await within(Promise.resolve(7), 10)).toBe(7);
    expect(await within(new Promise(() => undefined), 5)).toBe(TIMEOUT);
  });
});

describe('workload replies', () => {
  it('parses the writers lines by schema and skips what is not theirs', () => {
    expect(parseReply('{"type":"ready"}')).toEqual({ type: 'ready' });
    const w = { value: '0:1', writer: 0, startMs: 1, endMs: 2, outcome: 'ack', slot: 5 };
    expect(parseReply(JSON.stringify({ type: 'records', w: [w], r: [] }))).toEqual({
      type: 'records',
      w: [w],
      r: [],
    });
    expect(parseReply('Cannot open network namespace')).toBeNull();
    expect(parseReply('{"ready":true}')).toBeNull();
    expect(
      parseReply(JSON.stringify({ type: 'records', w: [{ ...w, outcome: 'ok' }], r: [] })),
    ).toBeNull();
  });
});

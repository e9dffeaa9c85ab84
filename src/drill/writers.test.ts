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
      ...(await Writers.attempt(this.answer(value), 50, (err): WriteOutcome =>
        err instanceof Error && err.message === 'gone' ? 'indeterminate' : 'fail',
      )),
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

async function waitUntil(ok: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(5);
  }
}

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

  it('keeps the reply that comes after the timeout: a late ack, a late refusal, a lost connection says nothing', async () => {
    let n = 0;
    const later = (ms: number, then: () => unknown) =>
      new Promise((resolve, reject) =>
        setTimeout(() => {
          try {
            resolve(then());
          } catch (err) {
            reject(err instanceof Error ? err : new Error(String(err)));
          }
        }, ms),
      );
    const writers = new FakeWriters(() => {
      const i = n++;
      if (i === 0) return later(120, () => 1);
      if (i === 1)
        return later(120, () => {
          throw new Error('READONLY');
        });
      if (i === 2)
        return later(120, () => {
          throw new Error('gone');
        });
      return Promise.resolve(1);
    });
    await writers.start();
    await waitUntil(() => writers.ledger.writes.length >= 4);
    // the stop waits for the replies still to come (within LATE_REPLY_GRACE_MS)
    const ledger = await writers.stop();
    const [first, second, third] = ledger.writes;
    expect(first).toMatchObject({
      value: '0:0',
      outcome: 'indeterminate',
      late: { outcome: 'ack' },
    });
    // after the write was given up: a timer's start is the event loop's cached time, which under
    // load lags the write's start, so "120 ms after the start" is no fact to test
    expect(first?.late?.atMs).toBeGreaterThanOrEqual(first?.endMs ?? Infinity);
    expect(second).toMatchObject({ outcome: 'indeterminate', late: { outcome: 'fail' } });
    expect(third).toMatchObject({ outcome: 'indeterminate' });
    expect(third?.late).toBeUndefined();
    expect(ledger.lateReplies.map((l) => l.value)).toEqual(['0:0', '0:1']);
    expect(ledger.writes.slice(3).every((w) => w.outcome === 'ack' && !w.late)).toBe(true);
    // a late reply for a write that was answered in time changes nothing
    expect(ledger.late({ value: '0:3', outcome: 'fail', atMs: 0 })).toBe(false);
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
  it('parses the writers lines by schema, and says what is wrong with any other line', () => {
    expect(parseReply('{"type":"ready"}')).toEqual({ type: 'ready' });
    const w = { value: '0:1', writer: 0, startMs: 1, endMs: 2, outcome: 'ack', slot: 5 };
    expect(parseReply(JSON.stringify({ type: 'records', w: [w], r: [] }))).toEqual({
      type: 'records',
      w: [w],
      r: [],
      l: [],
    });
    const late = { value: '0:0', outcome: 'ack', atMs: 3 };
    expect(parseReply(JSON.stringify({ type: 'records', w: [], r: [], l: [late] }))).toMatchObject({
      l: [late],
    });
    expect(parseReply('Cannot open network namespace')).toEqual({
      problem: 'a line that is not JSON: Cannot open network namespace',
    });
    expect(parseReply('{"ready":true}')).toMatchObject({ problem: /no known shape/ });
    expect(
      parseReply(JSON.stringify({ type: 'records', w: [{ ...w, outcome: 'ok' }], r: [] })),
    ).toMatchObject({ problem: /no known shape/ });
    expect(parseReply('{"type":"records","w":[')).toMatchObject({ problem: /not JSON/ });
  });
});

import { OPEN_ACCESS } from '../redis/index.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeRedis } from '../redis/fake-resp.fixture.js';
import type { WorkloadOptions } from './workload.js';
import { sentinelWriters } from './workload.js';
import type { Writers } from './writers.js';

function bulk(text: string): string {
  return `$${Buffer.byteLength(text)}\r\n${text}\r\n`;
}

/** Resolves once `ok()` holds, checked as each write is recorded. */
async function recorded(writers: Writers, ok: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error('the writes were not recorded in 10 s');
    await new Promise((r) => setTimeout(r, 10));
  }
  expect(writers.state).toBe('running');
}

describe('drill writers against a server that dies under a write', () => {
  // one fake is the sentinel and the master: it names itself, and refuses every write READONLY
  const server = new FakeRedis();
  let writers: Writers | null = null;

  beforeEach(async () => {
    await server.listen();
    server.answer(
      'SENTINEL get-master-addr-by-name',
      `*2\r\n${bulk('127.0.0.1')}${bulk(String(server.port))}`,
    );
    server.answer('SADD drill:t', "-READONLY You can't write against a read only replica.\r\n");
  });
  afterEach(async () => {
    await writers?.stop();
    writers = null;
    await server.stop();
  });

  const options = (via: WorkloadOptions['via']): WorkloadOptions => ({
    sentinels: [server.addr],
    masterName: 'm',
    access: OPEN_ACCESS,
    sentinelAccess: OPEN_ACCESS,
    writers: 1,
    rate: 20,
    readers: 0,
    timeoutMs: 400,
    key: 'drill:t',
    via,
    nodes: [],
    proxy: { write: server.addr, read: server.addr },
  });

  for (const via of ['sentinel', 'proxy'] as const) {
    it(`via ${via}: a write whose connection closed stays indeterminate, not refused by a resend`, async () => {
      server.dropOnceAt('SADD');
      const w = sentinelWriters(options(via));
      writers = w;
      await w.start();
      await recorded(w, () => w.ledger.writes.some((r) => r.outcome === 'fail'));
      await w.stop();
      const first = w.ledger.writes.find((r) => r.value === '0:0');
      // with ioredis's resend, the READONLY to the second send passed for this write's answer
      expect(first).toMatchObject({ outcome: 'indeterminate' });
      expect(first?.late).toBeUndefined();
      expect(w.ledger.lateReplies).toEqual([]);
      expect(w.ledger.writes.filter((r) => r.outcome === 'fail').length).toBeGreaterThan(0);
    });
  }
});

import { OPEN_ACCESS } from './access.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeRedis } from './fake-resp.fixture.js';
import { RedisLink } from './link.js';
import { readSentinel } from './sentinel-reader.js';

/** RESP for an array of bulk strings. */
function strings(items: string[]): string {
  return `*${String(items.length)}\r\n${items.map((i) => `$${String(Buffer.byteLength(i))}\r\n${i}\r\n`).join('')}`;
}

const MASTER = strings(['name', 'mymaster', 'ip', '127.0.0.1', 'port', '6390', 'flags', 'master']);
const INFO_TEXT = '# Server\r\nredis_mode:sentinel\r\nrun_id:x\r\n';
const INFO = `$${String(Buffer.byteLength(INFO_TEXT))}\r\n${INFO_TEXT}\r\n`;

/**
 * A server that answers SENTINEL commands with the wrong types, which no real sentinel does: it
 * must come out as not a sentinel, down with the reason, never up with CKQUORUM ok.
 */
describe('readSentinel against replies of the wrong shape', () => {
  let fake: FakeRedis;
  let link: RedisLink;

  beforeEach(async () => {
    fake = new FakeRedis();
    await fake.listen();
    link = new RedisLink(fake.addr, {
      timeoutMs: 5000,
      access: OPEN_ACCESS,
      connectionName: 'test',
    });
  });

  afterEach(async () => {
    await link.close();
    await fake.stop();
  });

  it('reads a sentinel whose replies have the right shape as up (the fake can pass)', async () => {
    fake.answer('SENTINEL MASTER', MASTER);
    fake.answer('INFO', INFO);
    fake.answer('SENTINEL REPLICAS', '*0\r\n');
    fake.answer('SENTINEL SENTINELS', '*0\r\n');
    const { view } = await readSentinel(link, 'mymaster');
    expect(view.up).toBe(true);
    expect(view.masterAddr).toBe('127.0.0.1:6390');
    expect(view.ckquorum).toEqual({ ok: true, message: 'OK' });
  });

  it('is not a sentinel when every SENTINEL command answers +OK', async () => {
    const { view } = await readSentinel(link, 'mymaster');
    expect(view.up).toBe(false);
    expect(view.downKind).toBe('protocol');
    expect(view.downReason).toBe(
      `${fake.addr} is not a sentinel: it answered SENTINEL MASTER with a string ("OK"), not a list of field/value pairs`,
    );
    expect(view.ckquorum).toBeNull();
  });

  it('is not a sentinel when CKQUORUM answers an integer, though the rest looks right', async () => {
    fake.answer('SENTINEL MASTER', MASTER);
    fake.answer('INFO', INFO);
    fake.answer('SENTINEL REPLICAS', '*0\r\n');
    fake.answer('SENTINEL SENTINELS', '*0\r\n');
    fake.answer('SENTINEL CKQUORUM', ':1\r\n');
    const { view } = await readSentinel(link, 'mymaster');
    expect(view.up).toBe(false);
    expect(view.downReason).toBe(
      `${fake.addr} is not a sentinel: it answered SENTINEL CKQUORUM with an integer, not text`,
    );
  });

  it('is not a sentinel when a listed replica lacks its address, or SENTINEL MASTER its flags', async () => {
    fake.answer('SENTINEL MASTER', MASTER);
    fake.answer('INFO', INFO);
    fake.answer('SENTINEL REPLICAS', `*1\r\n${strings(['name', 'r1', 'flags', 'slave'])}`);
    fake.answer('SENTINEL SENTINELS', '*0\r\n');
    expect((await readSentinel(link, 'mymaster')).view.downReason).toBe(
      `${fake.addr} is not a sentinel: it answered SENTINEL REPLICAS with field/value pairs without ip, port`,
    );
    fake.answer('SENTINEL MASTER', strings(['name', 'mymaster', 'ip', '127.0.0.1', 'port', '1']));
    expect((await readSentinel(link, 'mymaster')).view.downReason).toBe(
      `${fake.addr} is not a sentinel: it answered SENTINEL MASTER with field/value pairs without flags`,
    );
  });
});

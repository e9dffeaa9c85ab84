import { OPEN_ACCESS } from '../src/redis/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Writer } from '../bench/cutover-writer.js';
import { RedisLink } from '../src/redis/index.js';
import type { TestServer } from './helpers.js';
import { freePorts, startServer, tempDir, waitFor } from './helpers.js';

/**
 * The cutover bench waits for each writer's first acknowledged write (not a fixed time) before
 * its first kill: a write the server refuses must not count. A replica refuses writes
 * (READONLY) until it is made a master.
 */
let server: TestServer;
let link: RedisLink;
let writer: Writer | null = null;

beforeAll(async () => {
  const port = await freePorts(2);
  // a replica of a port nothing listens on: every SET is refused with READONLY
  server = await startServer('redis-server', tempDir('bench-writer'), port, [
    '--replicaof',
    '127.0.0.1',
    String(port + 1),
  ]);
  link = new RedisLink(`127.0.0.1:${String(port)}`, {
    timeoutMs: 2000,
    access: OPEN_ACCESS,
    connectionName: 'quorum-test',
  });
});

afterAll(async () => {
  await writer?.stop();
  await link.close();
  await server.stop();
});

/** SETs the server refused so far (INFO commandstats `rejected_calls`). */
async function refusedSets(): Promise<number> {
  const info = (await link.call('INFO', 'commandstats')) as string;
  return Number(/^cmdstat_set:.*rejected_calls=(\d+)/m.exec(info)?.[1] ?? 0);
}

describe('cutover writer', () => {
  it('settles firstAck at the first acknowledged write, not at a refused one', async () => {
    writer = new Writer(server.port);
    let acked = false;
    void writer.firstAck.then(() => (acked = true));
    await waitFor('the server to refuse a few SETs', 15_000, async () =>
      (await refusedSets()) >= 5 ? true : undefined,
    );
    expect(acked).toBe(false);
    await link.call('REPLICAOF', 'NO', 'ONE');
    await writer.firstAck;
    expect(acked).toBe(true);
  });
});

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holdPort } from '../../src/redis/held-port.fixture.js';
import { RequestError, fetchWithin } from './api.js';

describe('fetchWithin', () => {
  // answers /ok at once and never answers anything else
  const server = createServer((req, res) => {
    if (req.url === '/ok') res.end('{}');
  });
  let base = '';

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('passes an answer within the time through', async () => {
    const response = await fetchWithin(2000)(`${base}/ok`);
    expect(response.ok).toBe(true);
  });

  it('gives up on a server that does not answer, with a sentence', async () => {
    const failed = await fetchWithin(100)(`${base}/hang`).catch((err: unknown) => err);
    expect(failed).toBeInstanceOf(RequestError);
    expect(String(failed)).toBe('the server did not answer within 100 ms');
  });

  it('says so when nothing listens', async () => {
    // held for the whole test: a port closed and left free could be another test file's server
    const closed = await holdPort();
    try {
      const failed = await fetchWithin(2000)(`http://${closed.addr}/`).catch((err: unknown) => err);
      expect(String(failed)).toBe('the server could not be reached (is quorum still running?)');
    } finally {
      await closed.release();
    }
  });
});

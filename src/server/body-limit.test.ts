import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from './body-limit.js';
import { Hub } from './hub.js';
import type { Dashboard } from './serve.js';
import { startDashboard } from './serve.js';

const TOKEN = 'admin-token-0123456789';
const CHUNK = Buffer.alloc(1024 * 1024, 0x61);
/** What a client tries to send: what grew the server by about 750 MiB before the limit. */
const HUGE_BYTES = 256 * 1024 * 1024;

interface Sent {
  status: number | null;
  body: string;
  /** Bytes the client managed to hand to the socket before the server answered or closed. */
  written: number;
}

/** POSTs `total` bytes (reusing one chunk, so the client holds 1 MiB) until an answer or a close. */
function post(url: URL, total: number, declareLength: boolean): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const sent: Sent = { status: null, body: '', written: 0 };
    const headers: Record<string, string | number> = {
      Authorization: `Bearer ${TOKEN}`,
      'Content-Type': 'application/json',
    };
    if (declareLength) headers['Content-Length'] = total;
    const req = request(new URL('/api/deployments/mymaster/actions', url), {
      method: 'POST',
      headers,
    });
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      sent.status = res.statusCode ?? null;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (sent.body += chunk));
      res.on('end', () => resolve(sent));
      res.on('error', () => resolve(sent));
    });
    // the server closing the connection while we still write is the expected end of a refusal
    req.on('error', (err) => (answered ? undefined : reject(err)));
    const write = (): void => {
      while (!answered && sent.written < total) {
        const piece = CHUNK.subarray(0, Math.min(CHUNK.length, total - sent.written));
        sent.written += piece.length;
        if (!req.write(piece)) {
          req.once('drain', write);
          return;
        }
      }
      if (sent.written >= total) req.end();
    };
    write();
  });
}

describe('request bodies over the limit', () => {
  let hub: Hub;
  let dashboard: Dashboard;
  let url: URL;

  beforeAll(async () => {
    hub = new Hub();
    dashboard = await startDashboard(hub, {
      host: '127.0.0.1',
      port: 0,
      token: TOKEN,
      viewerToken: null,
      readOnly: false,
      metricsToken: null,
      metricsPublic: false,
    });
    url = new URL(dashboard.url);
  });

  afterAll(async () => {
    await dashboard.close();
  });

  it.each([
    ['with a Content-Length', true],
    ['chunked, without a Content-Length', false],
  ])(
    'refuses 256 MiB %s with 413 and one sentence, without buffering it',
    async (_how, declareLength) => {
      const rssBefore = process.memoryUsage().rss;
      const sent = await post(url, HUGE_BYTES, declareLength);
      expect(sent.status).toBe(413);
      expect(JSON.parse(sent.body)).toEqual({
        error: `the request body is larger than ${MAX_BODY_BYTES} bytes, the most this server reads`,
      });
      // the server stopped the upload: it did not read the whole body first
      expect(sent.written).toBeLessThan(HUGE_BYTES);
      expect(process.memoryUsage().rss - rssBefore).toBeLessThan(64 * 1024 * 1024);
    },
  );

  it('reads a body under the limit and answers for what it says', async () => {
    const small = JSON.stringify({ action: 'failover', padding: 'x'.repeat(1000) });
    const res = await fetch(new URL('/api/deployments/mymaster/actions', url), {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      body: small,
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: "no deployment named 'mymaster'" });
  });
});

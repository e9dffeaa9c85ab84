import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Server } from 'node:net';
import type { ControlHandler } from './control.js';
import { callControl, serveControl } from './control-socket.js';

const READ_TIMEOUT_MS = 200;
let server: Server | null = null;
let dir = '';

async function serve(handler: ControlHandler): Promise<string> {
  dir = mkdtempSync(join(tmpdir(), 'quorum-control-'));
  const path = join(dir, 'supervisor.sock');
  server = await serveControl(path, handler, READ_TIMEOUT_MS);
  return path;
}

afterEach(async () => {
  await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
  server = null;
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the control socket', () => {
  it('keeps a connection whose request is in for as long as the action takes', async () => {
    // three times the request read timeout, without a word in between
    const path = await serve(async () => {
      await sleep(3 * READ_TIMEOUT_MS);
      return { ok: true, pid: 1, status: 'healthy', message: 'done' };
    });
    const answer = await callControl(path, { op: 'ping' }, 5000);
    expect(answer).toMatchObject({ ok: true, message: 'done' });
  });

  it('passes progress lines on before the answer, and each restarts the client timeout', async () => {
    const path = await serve(async (_request, progress) => {
      for (const step of ['one', 'two', 'three', 'four']) {
        await sleep(400);
        progress(step);
      }
      return { ok: true, pid: 1, status: 'healthy', message: 'done' };
    });
    const lines: string[] = [];
    // 1.6 s in all, more than the 1 s timeout, but never 1 s without a line
    const answer = await callControl(path, { op: 'ping' }, 1000, (line) => lines.push(line));
    expect(lines).toEqual(['one', 'two', 'three', 'four']);
    expect(answer).toMatchObject({ ok: true, message: 'done' });
  });

  it('drops a client that sends no request within the read timeout', async () => {
    const path = await serve(() => Promise.resolve({ ok: true, pid: 1, status: 'healthy' }));
    const socket = createConnection({ path });
    const closedAfter = await new Promise<number>((resolve) => {
      const started = Date.now();
      socket.on('close', () => resolve(Date.now() - started));
      socket.on('error', () => undefined);
    });
    expect(closedAfter).toBeGreaterThanOrEqual(READ_TIMEOUT_MS - 50);
    expect(closedAfter).toBeLessThan(5000);
  });
});

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { holdPort } from '../redis/held-port.fixture.js';
import type { Alert, AlertTransition } from './engine.js';
import type { DeadLetter, NotifierConfig } from './notify.js';
import { Notifiers, payloadFor } from './notify.js';

const ALERT: Alert = {
  id: 'RedisNodeDown/127.0.0.1:6390',
  rule: 'RedisNodeDown',
  severity: 'critical',
  deployment: 'cache',
  subject: '127.0.0.1:6390',
  summary: '127.0.0.1:6390 does not answer: refused',
  runbook: 'Check the process.',
  status: 'firing',
  forMs: 30_000,
  sinceMs: 1_700_000_000_000,
  firedAtMs: 1_700_000_030_000,
  resolvedAtMs: null,
};
const FIRING: AlertTransition = { kind: 'firing', alert: ALERT };

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

/** A local HTTP server answering with `handle`; returns its URL and the bodies it received. */
async function receiver(
  handle: (req: IncomingMessage, res: ServerResponse, n: number) => void,
): Promise<{ url: string; bodies: unknown[] }> {
  const bodies: unknown[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      bodies.push(JSON.parse(body));
      handle(req, res, bodies.length);
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, bodies };
}

function notifier(url: string, overrides: Partial<NotifierConfig> = {}): NotifierConfig {
  return { name: 'ops', type: 'webhook', url, timeoutMs: 1000, retries: 2, ...overrides };
}

describe('payloadFor', () => {
  it("writes quorum's JSON for a webhook and one line of text for Slack", () => {
    expect(payloadFor('webhook', FIRING)).toEqual({
      version: 1,
      status: 'firing',
      alert: {
        id: ALERT.id,
        rule: 'RedisNodeDown',
        severity: 'critical',
        deployment: 'cache',
        subject: '127.0.0.1:6390',
        summary: ALERT.summary,
        runbook: ALERT.runbook,
        startsAt: '2023-11-14T22:13:50.000Z',
        endsAt: null,
      },
    });
    const slack = payloadFor('slack', { kind: 'resolved', alert: ALERT });
    expect(slack).toEqual({
      text: expect.stringContaining('*RESOLVED* RedisNodeDown (critical) on *cache*') as string,
    });
  });
});

describe('Notifiers', () => {
  it('posts each transition to every notifier, in order', async () => {
    const a = await receiver((_req, res) => res.end());
    const b = await receiver((_req, res) => res.end());
    const letters: DeadLetter[] = [];
    const notifiers = new Notifiers(
      [notifier(a.url), notifier(b.url, { name: 'chat', type: 'slack' })],
      (l) => letters.push(l),
      10,
    );
    notifiers.notify(FIRING);
    notifiers.notify({ kind: 'resolved', alert: { ...ALERT, status: 'resolved' } });
    await notifiers.idle();
    expect(a.bodies.map((x) => (x as { status: string }).status)).toEqual(['firing', 'resolved']);
    expect(b.bodies).toHaveLength(2);
    expect(letters).toEqual([]);
  });

  it('retries a 500 with backoff, then gives up with a dead letter', async () => {
    const failing = await receiver((_req, res) => {
      res.statusCode = 500;
      res.end();
    });
    const letters: DeadLetter[] = [];
    const notifiers = new Notifiers([notifier(failing.url)], (l) => letters.push(l), 10);
    notifiers.notify(FIRING);
    await notifiers.idle();
    expect(failing.bodies).toHaveLength(3);
    expect(letters).toEqual([
      {
        notifier: 'ops',
        deployment: 'cache',
        alert: ALERT.id,
        kind: 'firing',
        reason: `${failing.url} answered HTTP 500 (after 3 attempts)`,
      },
    ]);
  });

  it('recovers when a later attempt passes', async () => {
    const flaky = await receiver((_req, res, n) => {
      res.statusCode = n === 1 ? 503 : 200;
      res.end();
    });
    const letters: DeadLetter[] = [];
    const notifiers = new Notifiers([notifier(flaky.url)], (l) => letters.push(l), 10);
    notifiers.notify(FIRING);
    await notifiers.idle();
    expect(flaky.bodies).toHaveLength(2);
    expect(letters).toEqual([]);
  });

  it('does not retry a 404: the same request will not pass', async () => {
    const gone = await receiver((_req, res) => {
      res.statusCode = 404;
      res.end();
    });
    const letters: DeadLetter[] = [];
    const notifiers = new Notifiers([notifier(gone.url)], (l) => letters.push(l), 10);
    notifiers.notify(FIRING);
    await notifiers.idle();
    expect(gone.bodies).toHaveLength(1);
    expect(letters[0]?.reason).toBe(`${gone.url} answered HTTP 404`);
  });

  it('times out a receiver that hangs, and one that refuses, without blocking the caller', async () => {
    const hanging = await receiver(() => undefined);
    // held for the whole test: a port closed and left free could be another test file's server
    const refusing = await holdPort();
    const letters: DeadLetter[] = [];
    const notifiers = new Notifiers(
      [
        notifier(hanging.url, { timeoutMs: 200, retries: 1 }),
        notifier(`http://${refusing.addr}/hook`, { name: 'down', retries: 1 }),
      ],
      (l) => letters.push(l),
      10,
    );
    try {
      notifiers.notify(FIRING);
      // the caller is back before any POST went out, let alone was given up on
      expect([hanging.bodies, letters]).toEqual([[], []]);
      await notifiers.idle();
    } finally {
      await refusing.release();
    }
    expect(hanging.bodies).toHaveLength(2);
    expect(letters.map((l) => [l.notifier, l.reason]).sort()).toEqual([
      ['down', expect.stringMatching(/could not be reached .*\(after 2 attempts\)$/) as string],
      ['ops', `${hanging.url} gave no answer within 200 ms (after 2 attempts)`],
    ]);
  });

  it('gives up on what waits when closed, each noted', async () => {
    let arrived: () => void = () => undefined;
    const firstArrived = new Promise<void>((resolve) => (arrived = resolve));
    const slow = await receiver(() => arrived());
    const letters: DeadLetter[] = [];
    const notifiers = new Notifiers(
      [notifier(slow.url, { timeoutMs: 5000 })],
      (l) => letters.push(l),
      10,
    );
    notifiers.notify(FIRING);
    notifiers.notify(FIRING);
    // closed with the first POST under way and the second waiting
    await firstArrived;
    await notifiers.close();
    expect(letters.map((l) => l.reason)).toEqual([
      'quorum stopped before it was sent',
      'quorum stopped before it was sent',
    ]);
    notifiers.notify(FIRING);
    await notifiers.idle();
    expect(letters).toHaveLength(2);
  });
});

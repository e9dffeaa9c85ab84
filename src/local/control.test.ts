import { describe, expect, it } from 'vitest';
import type { ProxyStats } from '../proxy/index.js';
import { parseControlResponse } from './control.js';

const stats: ProxyStats = {
  write: { addr: '127.0.0.1:6393', master: '127.0.0.1:6390', sessions: 2, total: 9, held: 0 },
  read: {
    addr: '127.0.0.1:6394',
    replicas: ['127.0.0.1:6391'],
    sessions: 1,
    total: 3,
    fallback: 'master',
  },
  bytesIn: 10,
  bytesOut: 20,
  backends: [{ addr: '127.0.0.1:6390', side: 'write', sessions: 2 }],
  lastSwitch: { from: null, to: '127.0.0.1:6390', atMs: 1, tookMs: null },
  tracker: 'following',
  sentinelsUnreachable: false,
  refused: 0,
  startedAtMs: 5,
  relay: { kind: 'native', threads: 2 },
};

describe('parseControlResponse', () => {
  it('reads every answer a supervisor sends', () => {
    const answers = [
      { ok: true, pid: 7, status: 'healthy' },
      { ok: true, pid: 7, status: 'healthy', message: 'stopped redis-2 (127.0.0.1:6391)' },
      {
        ok: true,
        pid: 7,
        status: 'healthy',
        processes: [
          { name: 'redis-1', kind: 'redis', addr: '127.0.0.1:6390', pid: 42, state: 'running' },
        ],
      },
      { ok: true, pid: 7, status: 'healthy', proxy: stats },
      // a supervisor started by an earlier version reports no tracker state
      { ok: true, pid: 7, status: 'healthy', proxy: { ...stats, tracker: undefined } },
      { ok: true, pid: 7, status: 'healthy', proxy: null },
      {
        ok: true,
        pid: 7,
        status: 'healthy',
        added: { name: 'redis-7', addr: '127.0.0.1:7006' },
        message: 'started redis-7 (127.0.0.1:7006)',
      },
      { ok: false, error: 'the deployment is starting', exitCode: 2 },
    ];
    for (const answer of answers)
      expect(parseControlResponse(JSON.stringify(answer))).toEqual(answer);
  });

  it('refuses what is not an answer: broken JSON, a wrong shape, an unknown process state', () => {
    expect(parseControlResponse('{"ok":tru')).toBeNull();
    expect(parseControlResponse('')).toBeNull();
    expect(parseControlResponse(JSON.stringify({ ok: true, status: 'healthy' }))).toBeNull();
    expect(parseControlResponse(JSON.stringify({ ok: false }))).toBeNull();
    expect(
      parseControlResponse(
        JSON.stringify({
          ok: true,
          pid: 1,
          status: 'healthy',
          processes: [{ name: 'redis-1', kind: 'redis', addr: 'a:1', pid: 1, state: 'zombie' }],
        }),
      ),
    ).toBeNull();
  });
});

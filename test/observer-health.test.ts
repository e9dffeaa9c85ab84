import { OPEN_ACCESS } from '../src/redis/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QuorumEvent } from '../src/model/index.js';
import { renderMetrics } from '../src/metrics/index.js';
import { Observer } from '../src/observer/index.js';
import type { TestServer } from './helpers.js';
import { freePorts, startServer, tempDir, waitFor } from './helpers.js';

const POLL_MS = 200;

describe('an observer whose polls fail: counted, said once each way, stale data not served', () => {
  let server: TestServer;
  let observer: Observer;
  const events: QuorumEvent[] = [];
  /** What beforeAll started, stopped last-first even when it failed halfway. */
  const started: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    const port = await freePorts(1);
    server = await startServer('redis-server', tempDir('observer-health'), port, []);
    started.push(() => server.stop());
    observer = new Observer(
      {
        kind: 'sentinel',
        name: 'health',
        masterName: 'health',
        sentinels: [],
        nodes: [`127.0.0.1:${port}`],
        access: OPEN_ACCESS,
        sentinelAccess: OPEN_ACCESS,
      },
      // a read hangs for the whole timeout, longer than three intervals: the data goes stale
      { pollIntervalMs: POLL_MS, timeoutMs: 3000, subscribe: false },
    );
    started.push(() => observer.stop());
    observer.bus.on('event', (event) => events.push(event));
    await observer.start();
  });

  afterAll(async () => {
    for (const stop of started.reverse()) await stop();
  });

  const scrape = () =>
    renderMetrics(
      [
        {
          name: 'health',
          topology: observer.current(),
          observer: observer.stats(),
          masterChanges: 0,
          lastFailover: null,
          proxy: null,
          drill: null,
          alerts: [],
          network: null,
        },
      ],
      Date.now(),
    );
  const sample = (text: string, name: string) =>
    text.split('\n').find((l) => l.startsWith(`${name}{`));
  const ofType = (type: string) => events.filter((e) => e.type === type);

  it('serves redis_up as fresh while polls succeed', () => {
    const text = scrape();
    expect(sample(text, 'redis_up')).toMatch(/ 1$/);
    expect(sample(text, 'quorum_observer_stale')).toMatch(/ 0$/);
    expect(observer.stats().failedPolls).toBe(0);
  });

  it('marks the data stale and stops serving redis_up while a poll hangs on a stopped node', async () => {
    server.child.kill('SIGSTOP');
    const text = await waitFor('stale data', 10_000, () => {
      const t = scrape();
      return sample(t, 'quorum_observer_stale')?.endsWith(' 1') ? t : undefined;
    });
    expect(sample(text, 'redis_up')).toBeUndefined();
    expect(Number(sample(text, 'quorum_observer_data_age_seconds')?.split(' ')[1])).toBeGreaterThan(
      (3 * POLL_MS) / 1000,
    );
  });

  it('counts each failed poll and says once that polls fail', async () => {
    await waitFor('two failed polls', 20_000, () =>
      observer.stats().failedPolls >= 2 ? true : undefined,
    );
    const failing = ofType('quorum:observer-failing');
    expect(failing).toHaveLength(1);
    expect(failing[0]?.message).toMatch(/polls of health fail: no node or sentinel answered/);
    expect(observer.stats().failing).toMatch(/no node or sentinel answered/);
    const counted = sample(scrape(), 'quorum_observer_poll_failures_total')?.split(' ')[1];
    expect(Number(counted)).toBeGreaterThanOrEqual(2);
  });

  it('says once that polls succeed again, and serves fresh data', async () => {
    server.child.kill('SIGCONT');
    await waitFor('recovery', 20_000, () =>
      ofType('quorum:observer-recovered').length > 0 ? true : undefined,
    );
    const failedPolls = observer.stats().failedPolls;
    expect(ofType('quorum:observer-recovered')[0]?.detail).toEqual({ failedPolls });
    expect(ofType('quorum:observer-failing')).toHaveLength(1);
    const text = await waitFor('redis_up 1', 10_000, () => {
      const t = scrape();
      return sample(t, 'redis_up')?.endsWith(' 1') ? t : undefined;
    });
    expect(sample(text, 'quorum_observer_stale')).toMatch(/ 0$/);
    expect(sample(text, 'quorum_observer_poll_failing')).toMatch(/ 0$/);
  });
});

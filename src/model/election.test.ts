import { describe, expect, it } from 'vitest';
import {
  canFailOver,
  describeLostElection,
  electionTimeoutMs,
  failoverPending,
  lostElection,
} from './election.js';
import type { QuorumEvent } from './event.js';
import { parseSentinelEvent } from './event.js';
import { downNode, downSentinel } from './topology.js';
import { MASTER, R1, R2, replica, S1, S2, S3, sentinel, topology } from './topology.fixture.js';

const T0 = 1_700_000_000_000;

/** One event as the observer stores it, reported by the given sentinels. */
function event(type: string, payload: string, ms: number, by: string[] = [S1]): QuorumEvent {
  const parsed = parseSentinelEvent(type, payload);
  if (!parsed) throw new Error(`unparsable ${type} ${payload}`);
  return {
    id: `${type}-${String(ms)}`,
    ms,
    deployment: 'mymaster',
    source: 'sentinel',
    ...parsed,
    reports: by.map((b) => ({ by: b, ms })),
    detail: {},
  };
}

const ABOUT = 'master mymaster 127.0.0.1 6390';
const tried = (ms: number) => event('+try-failover', ABOUT, ms, [S1, S2, S3]);
const aborted = (ms: number) => event('-failover-abort-not-elected', ABOUT, ms, [S1, S2, S3]);

describe('lostElection', () => {
  it('names the election lost, who gave up, and the next attempt 2 x failover-timeout after it began', () => {
    const lost = lostElection([tried(T0), aborted(T0 + 10_000)], 10_000);
    expect(lost).toEqual({
      master: MASTER,
      abortedAtMs: T0 + 10_000,
      by: [S1, S2, S3],
      nextAttemptAtMs: T0 + 20_000,
    });
  });

  it('counts from the abort when the attempt was not seen', () => {
    expect(lostElection([aborted(T0 + 60_000)], 60_000)?.nextAttemptAtMs).toBe(
      T0 + 60_000 - 10_000 + 120_000,
    );
    expect(electionTimeoutMs(60_000)).toBe(10_000);
    expect(electionTimeoutMs(3000)).toBe(3000);
  });

  it('is over once a new attempt begins, a master is elected or switched, or the master is back', () => {
    const before = [tried(T0), aborted(T0 + 10_000)];
    expect(lostElection([...before, tried(T0 + 20_500)], 10_000)).toBeNull();
    expect(
      lostElection(
        [...before, event('+switch-master', 'mymaster 127.0.0.1 6390 127.0.0.1 6391', T0 + 21_000)],
        10_000,
      ),
    ).toBeNull();
    expect(lostElection([...before, event('-odown', ABOUT, T0 + 12_000)], 10_000)).toBeNull();
    expect(lostElection([tried(T0)], 10_000)).toBeNull();
  });

  it('says when the next attempt comes, and how to force one', () => {
    const lost = lostElection([tried(T0), aborted(T0 + 10_000)], 10_000);
    if (!lost) throw new Error('expected a lost election');
    expect(describeLostElection(lost, T0 + 12_000)).toBe(
      "the sentinels lost the election to replace 127.0.0.1:6390 (-failover-abort-not-elected: each voted for itself); next attempt in 8 s (2 x failover-timeout after the last one); 'quorum failover' forces one now",
    );
    expect(describeLostElection(lost, T0 + 25_000)).toContain('the next attempt is due now');
  });
});

describe('failoverPending', () => {
  const down = [downNode(MASTER, 'refused'), replica(R1, MASTER), replica(R2, MASTER)];
  const flagging = (flags: string[]) =>
    [S1, S2, S3].map((s) => sentinel(s, { masterFlags: flags }));

  it('holds while a sentinel flags the master o_down or fails it over, with a majority up and a replica', () => {
    expect(
      failoverPending(
        topology({ nodes: down, sentinels: flagging(['master', 's_down', 'o_down']) }),
        MASTER,
      ),
    ).toBe(true);
    expect(
      failoverPending(
        topology({ nodes: down, sentinels: flagging(['master', 'failover_in_progress']) }),
        MASTER,
      ),
    ).toBe(true);
  });

  it('says whether the sentinels could fail over at all: a majority up and a replica', () => {
    const twoDown = [sentinel(S1), downSentinel(S2, 'refused'), downSentinel(S3, 'refused')];
    expect(canFailOver(topology({ nodes: down }), MASTER)).toBe(true);
    expect(canFailOver(topology({ nodes: down, sentinels: twoDown }), MASTER)).toBe(false);
  });

  it('does not hold without o_down, without a majority of sentinels, or without a replica', () => {
    expect(
      failoverPending(topology({ nodes: down, sentinels: flagging(['master', 's_down']) }), MASTER),
    ).toBe(false);
    const lonely = [
      sentinel(S1, { masterFlags: ['master', 's_down', 'o_down'], quorum: 1 }),
      downSentinel(S2, 'refused'),
      downSentinel(S3, 'refused'),
    ];
    expect(failoverPending(topology({ nodes: down, sentinels: lonely }), MASTER)).toBe(false);
    const alone = [downNode(MASTER, 'refused'), downNode(R1, 'refused'), downNode(R2, 'refused')];
    expect(
      failoverPending(
        topology({ nodes: alone, sentinels: flagging(['master', 'o_down']) }),
        MASTER,
      ),
    ).toBe(false);
  });
});

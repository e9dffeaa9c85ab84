import { describe, expect, it } from 'vitest';
import { drillRun } from './run.fixture.js';
import { unansweredCap, violations } from './verdict.js';
import { DEFAULT_WORKLOAD } from './workload.js';
import { scenarioNamed } from './scenarios.js';
import { outcomeOf } from './clients.js';

const run = drillRun;

function scenario(name: string) {
  const s = scenarioNamed(name);
  if (!s) throw new Error(`no scenario ${name}`);
  return s;
}

describe('the writes stop-master may drop unanswered', () => {
  it('exempts only missing writes sent after the fault with no reply, up to the cap, and counts them', () => {
    // 3 of the 12 missing were sent before the fault (or got a late reply): SHUTDOWN cannot explain them
    expect(
      violations(
        scenario('stop-master'),
        run({ ackedLost: 0, indeterminateLost: 12, unansweredAfterFault: 9 }),
        2000,
      ),
    ).toEqual([
      '3 indeterminate writes are missing besides 9 exempted; this scenario should lose none',
    ]);
    // no write acknowledged from 0.1 s to 3.4 s after the fault: 4 writers leave at most 4 x (4 + 1)
    expect(unansweredCap(run({}), DEFAULT_WORKLOAD)).toBe(20);
    expect(
      violations(
        scenario('stop-master'),
        run({ ackedLost: 0, indeterminateLost: 50, unansweredAfterFault: 50 }),
        2000,
      ),
    ).toEqual([
      '30 indeterminate writes are missing besides 20 exempted; this scenario should lose none',
    ]);
    // a run kept before they were counted exempts nothing; other scenarios exempt nothing
    expect(
      violations(
        scenario('stop-master'),
        run({ ackedLost: 0, indeterminateLost: 2, unansweredAfterFault: null }),
        2000,
      ),
    ).toEqual(['2 indeterminate writes are missing; this scenario should lose none']);
    expect(
      violations(
        scenario('freeze-master-short'),
        run({ ackedLost: 0, indeterminateLost: 2, unansweredAfterFault: 2, switchMasterMs: null }),
        2000,
      ),
    ).toEqual(['2 indeterminate writes are missing; this scenario should lose none']);
  });

  it('caps by the pace too: a writer cannot leave more unanswered than it sends', () => {
    const slow = { ...DEFAULT_WORKLOAD, rate: 4 };
    expect(unansweredCap({ writeUnavailableFromMs: 100, writeUnavailableMs: 900 }, slow)).toBe(4);
    expect(
      unansweredCap({ writeUnavailableFromMs: 0, writeUnavailableMs: 7000 }, DEFAULT_WORKLOAD),
    ).toBe(32);
  });
});

describe('violations', () => {
  it('accepts a run that behaved as Redis should', () => {
    expect(violations(scenario('kill-master'), run({}), 2000)).toEqual([]);
  });

  it('flags a missing failover, an unexpected one, and a slow one', () => {
    expect(violations(scenario('kill-master'), run({ switchMasterMs: null }), 2000)).toEqual([
      'no failover happened, though one was expected',
    ]);
    expect(violations(scenario('kill-sentinel-majority'), run({}), 2000)[0]).toMatch(
      /^a failover happened, though none was expected \(a failover must be authorized/,
    );
    expect(violations(scenario('kill-master'), run({ switchMasterMs: 6500 }), 2000)).toEqual([
      'the failover took 6500 ms, more than down-after + 4 s',
    ]);
  });

  it('names a lost election instead of "no failover", with when Sentinel tries again', () => {
    const lost = run({
      switchMasterMs: null,
      events: [
        { type: '+try-failover', ms: 2100, message: 'master mymaster 127.0.0.1 6390' },
        {
          type: '-failover-abort-not-elected',
          ms: 12_100,
          message: 'master mymaster 127.0.0.1 6390',
        },
      ],
    });
    expect(
      violations(scenario('kill-master'), lost, 2000, { ...DEFAULT_WORKLOAD, rate: 100 }, 10_000),
    ).toEqual([
      'no failover within the run: the sentinels lost their election (-failover-abort-not-elected 12.1 s after the fault; each voted for itself); Sentinel tries again 2 x failover-timeout after the attempt began, at about 22.1 s after the fault',
    ]);
    const twice = run({
      switchMasterMs: null,
      events: [
        ...lost.events,
        { type: '+try-failover', ms: 22_300, message: 'master mymaster 127.0.0.1 6390' },
        {
          type: '-failover-abort-not-elected',
          ms: 32_300,
          message: 'master mymaster 127.0.0.1 6390',
        },
      ],
    });
    expect(violations(scenario('kill-master'), twice, 2000, DEFAULT_WORKLOAD, 10_000)[0]).toContain(
      'at about 42.3 s after the fault',
    );
    const retried = run({ switchMasterMs: 23_000, events: lost.events });
    expect(violations(scenario('kill-master'), retried, 2000)).toEqual([
      'the failover took 23000 ms, more than down-after + 4 s (the sentinels lost an election 12.1 s after the fault, and Sentinel tried again 2 x failover-timeout after that attempt began)',
    ]);
    expect(violations(scenario('kill-master'), lost, 2000)[0]).toMatch(
      /; Sentinel tries again only 2 x failover-timeout after the attempt began$/,
    );
  });

  it('flags losses where none are allowed, unconverged replicas, and failed writes that are present', () => {
    expect(violations(scenario('stop-master'), run({ ackedLost: 3 }), 2000)).toEqual([
      '3 acknowledged writes were lost; at most 0 expected',
    ]);
    expect(violations(scenario('kill-master'), run({ ackedLost: 3 }), 2000)).toEqual([]);
    expect(
      violations(
        scenario('kill-master'),
        run({ replicasConverged: false, failedPresent: 1 }),
        2000,
      ),
    ).toEqual([
      'the replicas did not converge on the final master',
      '1 writes reported as failed are present',
    ]);
  });

  it('counts a late-acknowledged write that was lost against the bound, and holds zero-loss scenarios to no missing indeterminate write', () => {
    // the switchover's writes held in CLIENT PAUSE past the timeout are the ones at risk
    expect(
      violations(
        scenario('switchover'),
        run({ ackedLost: 0, indeterminateLost: 4, lateAckedLost: 3 }),
        2000,
      ),
    ).toEqual([
      '3 acknowledged writes were lost (3 of them acknowledged after the timeout); at most 0 expected',
      '4 indeterminate writes are missing (3 of them acknowledged late); this scenario should lose none',
    ]);
    expect(
      violations(
        scenario('freeze-master-short'),
        run({ ackedLost: 0, indeterminateLost: 2, switchMasterMs: null }),
        2000,
      ),
    ).toEqual(['2 indeterminate writes are missing; this scenario should lose none']);
    // a scenario that may lose writes may also miss indeterminate ones; a run kept before late
    // replies were recorded is judged on what it has
    expect(violations(scenario('kill-master'), run({ indeterminateLost: 40 }), 2000)).toEqual([]);
    expect(
      violations(
        scenario('stop-master'),
        run({ ackedLost: 0, indeterminateLost: null, lateAckedLost: null }),
        2000,
      ),
    ).toEqual([]);
    // SIGTERM: the shutdown drops the writes it paused, unanswered; a late OK lost still counts
    const vanished = { ackedLost: 0, indeterminateLost: 12, unansweredAfterFault: 12 };
    expect(violations(scenario('stop-master'), run(vanished), 2000)).toEqual([]);
    expect(
      violations(scenario('stop-master'), run({ ...vanished, lateAckedLost: 1 }), 2000),
    ).toEqual([
      '1 acknowledged writes were lost (1 of them acknowledged after the timeout); at most 0 expected',
    ]);
    const splitBrain = scenario('split-brain-restart');
    expect(
      violations(
        splitBrain,
        run({ ackedLost: 15, lateAckedLost: 10, indeterminateLost: 10, minReplicasToWrite: 1 }),
        2000,
      ),
    ).toEqual([
      '25 acknowledged writes were lost (10 of them acknowledged after the timeout); at most 20 expected',
    ]);
  });

  it('holds the split-brain restart to zero loss only when the master needs a replica to write', () => {
    const splitBrain = scenario('split-brain-restart');
    expect(violations(splitBrain, run({ ackedLost: 4000, minReplicasToWrite: 0 }), 2000)).toEqual(
      [],
    );
    expect(violations(splitBrain, run({ ackedLost: 4000, minReplicasToWrite: 1 }), 2000)).toEqual([
      '4000 acknowledged writes were lost; at most 20 expected',
    ]);
    expect(violations(splitBrain, run({ ackedLost: 0, minReplicasToWrite: 1 }), 2000)).toEqual([]);
  });
});

describe('outcomeOf', () => {
  it('counts a server error reply or an unsent command as failed, anything else as indeterminate', () => {
    const reply = Object.assign(
      new Error("READONLY You can't write against a read only replica."),
      { name: 'ReplyError' },
    );
    expect(outcomeOf(reply)).toBe('fail');
    expect(
      outcomeOf(new Error("Stream isn't writeable and enableOfflineQueue options is false")),
    ).toBe('fail');
    expect(outcomeOf(new Error('Connection is closed.'))).toBe('indeterminate');
    expect(outcomeOf(new Error('Reached the max retries per request limit (which is 1).'))).toBe(
      'indeterminate',
    );
  });
});

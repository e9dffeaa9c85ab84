import { describe, expect, it } from 'vitest';
import type { DrillRun } from './runner.js';
import { violations } from './runner.js';
import { scenarioNamed } from './scenarios.js';
import { outcomeOf } from './workload.js';

function run(overrides: Partial<DrillRun>): DrillRun {
  return {
    faultAtMs: 0,
    sdownMs: 2000,
    odownMs: 2100,
    switchMasterMs: 3200,
    firstWriteMs: 3300,
    writeUnavailableMs: 3300,
    readUnavailableMs: 10,
    replicasFollowMs: 4000,
    oldMaster: 'a:1',
    newMaster: 'b:1',
    failover: true,
    replicasConverged: true,
    twoMastersMs: 0,
    minReplicasToWrite: 0,
    via: 'sentinel',
    attempted: 100,
    acknowledged: 90,
    failed: 5,
    indeterminate: 5,
    survived: 90,
    ackedLost: 0,
    ackedLostValues: [],
    indeterminatePresent: 2,
    failedPresent: 0,
    lossRate: 0,
    violations: [],
    injected: '',
    healed: '',
    series: { stepMs: 250, fromMs: -1500, acked: [], failed: [] },
    events: [],
    writeUnavailableFromMs: 0,
    ...overrides,
  };
}

function scenario(name: string) {
  const s = scenarioNamed(name);
  if (!s) throw new Error(`no scenario ${name}`);
  return s;
}

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

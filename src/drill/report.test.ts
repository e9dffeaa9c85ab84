import { describe, expect, it } from 'vitest';
import type { DrillRun } from './runner.js';
import { renderReport } from './report.js';
import { scenarioNamed } from './scenarios.js';
import { summarize } from './summary.js';

const run: DrillRun = {
  faultAtMs: 0,
  sdownMs: 2010,
  odownMs: 2100,
  switchMasterMs: 3200,
  firstWriteMs: 3400,
  writeUnavailableMs: 3300,
  writeUnavailableFromMs: 100,
  readUnavailableMs: 10,
  replicasFollowMs: 4000,
  oldMaster: '127.0.0.1:6390',
  newMaster: '127.0.0.1:6391',
  failover: true,
  replicasConverged: true,
  twoMastersMs: 0,
  minReplicasToWrite: 0,
  via: 'sentinel',
  attempted: 100,
  acknowledged: 90,
  failed: 5,
  indeterminate: 5,
  survived: 88,
  ackedLost: 2,
  ackedLostValues: ['0:41', '<script>'],
  indeterminatePresent: 2,
  failedPresent: 0,
  lossRate: 2 / 90,
  violations: [],
  injected: 'killed redis-1',
  healed: 'started redis-1',
  series: {
    stepMs: 250,
    fromMs: -1000,
    acked: [10, 10, 10, 10, 0, 0, 5, 10],
    failed: [0, 0, 0, 0, 2, 1, 0, 0],
  },
  events: [
    { type: '+sdown', ms: 2010, message: 'master mymaster 127.0.0.1 6390' },
    { type: '+switch-master', ms: 3200, message: 'mymaster 127.0.0.1 6390 127.0.0.1 6391' },
  ],
};

describe('renderReport', () => {
  const scenario = scenarioNamed('kill-master');
  if (!scenario) throw new Error('no kill-master');
  const html = renderReport([summarize(scenario, [run], 2000)], {
    deployment: 'mymaster',
    generatedAt: new Date(0),
  });

  it('shows each measurement next to the bound REFERENCE.md gives', () => {
    expect(html).toContain('about down-after + 1 to 2.5 s: 3.00 s to 4.50 s');
    expect(html).toContain('<td>3.20 s</td>');
    expect(html).toContain('2 of 90 (2.22%)');
    expect(html).toContain('a few at most (the replication window)');
    expect(html).toContain('as expected');
  });

  it('draws one bar pair per bucket, the fault, the events and the write gap', () => {
    expect(html.match(/fill="#0f766e"/g)).toHaveLength(8);
    expect(html.match(/fill="#dc2626"/g)).toHaveLength(2);
    expect(html).toContain('+switch-master 3.20 s');
    expect(html).toContain('no acknowledged write for 3.30 s');
  });

  it('escapes what came from outside', () => {
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;');
  });
});

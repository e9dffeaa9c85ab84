import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { drillRun } from './run.fixture.js';
import { scenarioNamed } from './scenarios.js';
import { drillId, DrillStore } from './store.js';
import { summarize } from './summary.js';

const RUN = drillRun();

function result() {
  const scenario = scenarioNamed('kill-master');
  if (!scenario) throw new Error('no kill-master');
  return summarize(scenario, [RUN], 2000);
}

describe('DrillStore', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'quorum-store-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps each result as JSON and HTML and lists them newest first', () => {
    const store = new DrillStore(dir);
    const older = store.save('demo', Date.UTC(2026, 10, 24, 4, 15, 3, 120), result());
    const newer = store.save('demo', Date.UTC(2026, 10, 24, 5, 0, 0, 0), result());
    expect(older.id).toBe('20261124-041503-120-kill-master');
    expect(store.list().map((l) => l.id)).toEqual([newer.id, older.id]);
    expect(store.list()[0]).toMatchObject({
      scenario: 'kill-master',
      runs: 1,
      switchMasterP50Ms: 3200,
      ackedLostMax: 2,
      violations: 0,
    });
    expect(store.read(older.id)?.result.runs[0]?.ackedLostValues).toEqual(RUN.ackedLostValues);
    expect(store.report(older.id)).toContain('<svg');
  });

  it('skips unreadable files and refuses ids that are not its own', () => {
    const store = new DrillStore(dir);
    store.save('demo', Date.now(), result());
    writeFileSync(join(store.dir, `${drillId(Date.now() + 5, 'kill-master')}.json`), '{"id": 3');
    expect(store.list()).toHaveLength(1);
    expect(store.read('../state')).toBeNull();
    expect(store.report('../../etc/passwd')).toBeNull();
  });

  it('lets one drill run at a time, and takes over the lock of a process that died', () => {
    const store = new DrillStore(dir);
    const release = store.lock('kill-master on demo');
    expect(() => store.lock('stop-master on demo')).toThrow(
      /a drill \(kill-master on demo\) is already running in process \d+/,
    );
    release();
    expect(store.running()).toBeNull();
    // a lock left by a process that no longer exists
    writeFileSync(
      join(store.dir, 'running.json'),
      JSON.stringify({ pid: 2 ** 22 + 12345, what: 'old', startedAtMs: 0 }),
    );
    const again = store.lock('kill-master on demo');
    expect(JSON.parse(readFileSync(join(store.dir, 'running.json'), 'utf8'))).toMatchObject({
      pid: process.pid,
    });
    again();
  });
});

import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';

/** Runs the closing summary of `make test` on results as vitest's JSON reporter writes them. */
function summary(results: object, vitestStatus: number) {
  const file = join(tempDir('summary'), 'results.json');
  writeFileSync(file, JSON.stringify(results));
  const run = spawnSync(
    process.execPath,
    ['scripts/test-summary.mjs', file, String(vitestStatus)],
    { encoding: 'utf8' },
  );
  return { code: run.status, lines: run.stdout.trim().split('\n') };
}

const passing = {
  success: true,
  numPassedTests: 3,
  numFailedTests: 0,
  numFailedTestSuites: 0,
  numPendingTests: 0,
  numTodoTests: 0,
  testResults: [],
};

describe('the closing summary of make test', () => {
  it('says 0 failed only when vitest passed the run', () => {
    expect(summary(passing, 0)).toEqual({ code: 0, lines: ['3 passed, 0 failed, 0 skipped'] });
  });

  it('never says 0 failed when the run failed outside every test', () => {
    // a leaked process fails the global teardown: every test passed, vitest exits 1
    const leaked = summary(passing, 1);
    expect(leaked.code).toBe(1);
    expect(leaked.lines.at(-1)).toBe('3 passed, the run FAILED outside the tests, 0 skipped');
    expect(leaked.lines[0]).toMatch(/^FAILED outside every test: vitest exited with status 1/);
    const unhandled = summary({ ...passing, success: false }, 0);
    expect(unhandled.code).toBe(1);
    expect(unhandled.lines.join('\n')).not.toContain('0 failed');
  });

  it('names a failed test and counts it', () => {
    const failed = summary(
      {
        ...passing,
        success: false,
        numFailedTests: 1,
        testResults: [
          {
            name: join(process.cwd(), 'test/x.test.ts'),
            status: 'failed',
            assertionResults: [
              { status: 'failed', fullName: 'x works', failureMessages: ['Error: boom'] },
            ],
          },
        ],
      },
      1,
    );
    expect(failed.lines).toEqual([
      'FAILED test/x.test.ts > x works: Error: boom',
      '3 passed, 1 failed, 0 skipped',
    ]);
  });
});

import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { quorumError } from './setup.js';

/** What execFileSync throws when the command exits non-zero. */
function failed(stderr: string): unknown {
  try {
    execFileSync(
      process.execPath,
      ['-e', `process.stderr.write(${JSON.stringify(stderr)}); process.exit(1)`],
      {
        encoding: 'utf8',
        stdio: 'pipe',
      },
    );
  } catch (err) {
    return err;
  }
  throw new Error('the command did not fail');
}

describe('quorumError', () => {
  it("gives the CLI's sentence without its prefix", () => {
    const err = failed(
      "waiting: the sentinels flag 127.0.0.1:17900 o_down\nquorum: not starting 127.0.0.1:17900: run 'quorum failover' to force a failover, then start it\n",
    );
    expect(quorumError(err)).toBe(
      "not starting 127.0.0.1:17900: run 'quorum failover' to force a failover, then start it",
    );
  });

  it("falls back to the error's first line when nothing was printed", () => {
    expect(quorumError(failed(''))).toMatch(/^Command failed: /);
    expect(quorumError('plain')).toBe('plain');
  });
});

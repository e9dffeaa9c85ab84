import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { quorum, tempDir } from './helpers.js';

describe('CLI output on a pipe', () => {
  it('prints an answer far larger than a pipe buffer whole before it exits', async () => {
    const dir = tempDir('cli-output');
    const count = 3000;
    const lines = Array.from({ length: count }, (_, i) =>
      JSON.stringify({
        kind: 'event',
        event: {
          id: String(i),
          ms: 1_700_000_000_000 + i,
          deployment: 'mymaster',
          type: '+sdown',
          source: 'sentinel',
          message: `slave 127.0.0.1:6391 127.0.0.1 6391 @ mymaster 127.0.0.1 6390 #${String(i)}`,
          subject: null,
          switch: null,
          reports: [],
          detail: {},
        },
      }),
    );
    writeFileSync(join(dir, 'events.jsonl'), lines.join('\n') + '\n');
    const result = await quorum(['events', '--json', '--dir', dir]);
    expect(result.code, result.stderr).toBe(0);
    // about 850 KiB: many times the 64 KiB a pipe holds
    expect(result.stdout.length).toBeGreaterThan(8 * 64 * 1024);
    const events = JSON.parse(result.stdout) as { id: string }[];
    expect(events).toHaveLength(count);
    expect(events.at(-1)?.id).toBe(String(count - 1));
  });
});

describe('quorum --version', () => {
  it('prints the version of package.json and exits 0', async () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const run = await quorum([flag]);
      expect(run.code).toBe(0);
      expect(run.stdout.trim()).toBe(version);
    }
  });
});

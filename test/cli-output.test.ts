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

describe('quorum events on a failover', () => {
  it("times it from the master's exit: detection and the new master apart, as text and JSON", async () => {
    const dir = tempDir('events-failover');
    const at = 1_700_000_000_000;
    const event = (ms: number, type: string, source: string, more: object) => ({
      kind: 'event',
      event: {
        id: `${type}-${String(ms)}`,
        ms: at + ms,
        deployment: 'mymaster',
        type,
        source,
        message: type,
        subject: null,
        switch: null,
        reports: [],
        detail: {},
        ...more,
      },
    });
    const master = { type: 'master', name: 'mymaster', addr: '127.0.0.1:6390' };
    const lines = [
      event(0, 'quorum:process-exited', 'quorum', { detail: { addr: '127.0.0.1:6390' } }),
      event(5000, '+sdown', 'sentinel', {
        subject: { ...master, masterName: 'mymaster', masterAddr: '127.0.0.1:6390' },
      }),
      event(6020, '+switch-master', 'sentinel', {
        switch: { masterName: 'mymaster', from: '127.0.0.1:6390', to: '127.0.0.1:6391' },
      }),
    ];
    writeFileSync(join(dir, 'events.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const text = await quorum(['events', '--dir', dir]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(
      /\+switch-master .*\n\s+failover: down at \d\d:\d\d:\d\d\.000 \(its process exited\), detected after 5\.00 s, new master after 6\.02 s\n/,
    );
    const json = await quorum(['events', '--json', '--type', '+switch', '--dir', dir]);
    const [switched] = JSON.parse(json.stdout) as { failover: Record<string, unknown> }[];
    expect(switched?.failover).toMatchObject({
      downMs: at,
      downBasis: 'exit',
      detectedAfterMs: 5000,
      newMasterAfterMs: 6020,
      manual: false,
    });
  });
});

describe('quorum drill list', () => {
  it('fits each line in 100 columns and names every scenario', async () => {
    const run = await quorum(['drill', 'list']);
    expect(run.code).toBe(0);
    for (const line of run.stdout.trimEnd().split('\n'))
      expect(line.length).toBeLessThanOrEqual(100);
    for (const name of ['kill-master', 'cluster-kill-shard', 'partition-sentinels'])
      expect(run.stdout).toMatch(new RegExp(`^${name} `, 'm'));
  });
});

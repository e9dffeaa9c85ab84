import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultSpec } from './spec.js';
import { readState, statePath, writeState } from './state.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'quorum-state-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const rest = {
  version: 1 as const,
  writer: 1,
  status: 'healthy' as const,
  supervisor: null,
  processes: [],
  error: null,
};

describe('state.json', () => {
  it('reads back a cluster spec as written, with no Sentinel fields', () => {
    const dir = tempDir();
    const spec = defaultSpec({ mode: 'cluster', masters: 4 });
    writeState(dir, { ...rest, status: 'healthy', spec, dashboard: null, proxy: null });
    expect(readState(dir)?.spec).toEqual(spec);
    expect(readState(dir)?.spec).not.toHaveProperty('sentinels');
  });

  it('reads the flat shape of earlier versions: the fields of the other kind are dropped', () => {
    const dir = tempDir();
    // a cluster as an earlier version wrote it, with Sentinel fields filled with zeros
    const flat = {
      mode: 'cluster',
      name: 'mycluster',
      host: '127.0.0.1',
      port: 7000,
      sentinelPort: 0,
      replicas: 3,
      sentinels: 0,
      quorum: 0,
      downAfterMs: 5000,
      failoverTimeoutMs: 60000,
      password: null,
      autorestart: false,
      preset: 'default',
      proxyPort: null,
      masters: 3,
      replicasPerMaster: 1,
      nodeTimeoutMs: 5000,
      extraNodes: 1,
      removedNodes: ['redis-2'],
      network: 'loopback',
      lab: null,
    };
    writeFileSync(statePath(dir), JSON.stringify({ ...rest, spec: flat }));
    expect(readState(dir)?.spec).toEqual({
      ...defaultSpec({ mode: 'cluster' }),
      extraNodes: 1,
      removedNodes: ['redis-2'],
    });
  });

  it('reads a Sentinel spec from before cluster mode (no mode field) as a Sentinel one', () => {
    const dir = tempDir();
    const old: Record<string, unknown> = { ...defaultSpec() };
    delete old.mode;
    writeFileSync(statePath(dir), JSON.stringify({ ...rest, spec: old }));
    expect(readState(dir)?.spec).toEqual(defaultSpec());
  });
});

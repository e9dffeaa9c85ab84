import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ProcessTable } from './process-table.js';
import type { LocalSpec } from './spec.js';
import { defaultSpec } from './spec.js';
import { Supervisor } from './supervisor.js';

const launch = { binary: '/bin/false', setpriv: null };
const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'quorum-table-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function table(spec: LocalSpec = defaultSpec({ mode: 'cluster' })): ProcessTable {
  return new ProcessTable(spec, {
    dir: tempDir(),
    redisServer: launch,
    redisSentinel: launch,
    onState: () => undefined,
  });
}

describe('ProcessTable', () => {
  it('adds a cluster node to the table and to the spec, and takes it back out', () => {
    const t = table();
    const plan = t.nextNode();
    expect(plan).toMatchObject({ name: 'redis-7', port: 7006 });
    const proc = t.addNode(plan);
    expect(t.spec).toMatchObject({ extraNodes: 1 });
    expect(t.all().map((p) => p.plan.name)).toContain('redis-7');
    expect(existsSync(proc.configFile)).toBe(true);
    t.dropAdded(proc);
    expect(t.spec).toMatchObject({ extraNodes: 0 });
    expect(t.all().map((p) => p.plan.name)).not.toContain('redis-7');
  });

  it('keeps a removed node in the spec, so it is not planned again', () => {
    const t = table();
    t.removeNode(t.resolve('redis-6'));
    expect(t.spec).toMatchObject({ removedNodes: ['redis-6'] });
    expect(t.all().map((p) => p.plan.name)).not.toContain('redis-6');
    expect(
      table(t.spec)
        .all()
        .map((p) => p.plan.name),
    ).not.toContain('redis-6');
  });

  it('refuses to add or remove nodes of a Sentinel deployment', () => {
    const t = table(defaultSpec());
    expect(() => t.nextNode()).toThrow('adding and removing nodes is for clusters');
    expect(() => t.removeNode(t.resolve('redis-2'))).toThrow('is for clusters');
    expect(t.all()).toHaveLength(6);
  });

  it('stops sentinels before data nodes, and nothing when nothing runs', async () => {
    const t = table(defaultSpec());
    await t.stopAll();
    expect(t.info().every((p) => p.state === 'stopped' && p.pid === null)).toBe(true);
  });
});

describe('Supervisor', () => {
  it('creates nothing when constructed: no file, no lab, no connection, state idle', () => {
    const dir = tempDir();
    const supervisor = new Supervisor({
      dir,
      spec: defaultSpec({ network: 'lab', lab: { tag: 'abc123', subnet: '198.18.7.0/24' } }),
      redisServer: launch,
      redisSentinel: launch,
      log: pino({ enabled: false }),
      progress: () => undefined,
      healthTimeoutMs: 1000,
    });
    expect(supervisor.state()).toBe('idle');
    expect(readdirSync(dir)).toEqual([]);
    expect(() => supervisor.observer).toThrow('has not been launched');
  });
});

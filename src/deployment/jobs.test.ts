import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ServiceError } from '../model/index.js';
import type { JobRecord, JobStep } from './job-types.js';
import { transition } from './job-types.js';
import { JobCancelled, JobDesk } from './jobs.js';

/** A step that waits until it is let go (or its signal aborts, when `honoursCancel`). */
function gate(name: string, honoursCancel = false) {
  let release: (said: string | null) => void = () => undefined;
  const step: JobStep = {
    name,
    run: ({ signal }) =>
      new Promise<string | null>((resolve, reject) => {
        release = resolve;
        if (honoursCancel)
          signal.addEventListener('abort', () => reject(new Error(`${name} stopped`)));
      }),
  };
  return { step, release: (said: string | null = null) => release(said) };
}

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'quorum-jobs-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('job states', () => {
  it('allows the lifecycle and rejects a move out of an end', () => {
    expect(transition('running', 'cancelling')).toBe('cancelling');
    expect(transition('cancelling', 'cancelled')).toBe('cancelled');
    expect(() => transition('succeeded', 'running')).toThrow('from succeeded to running');
    expect(() => transition('cancelling', 'running')).toThrow();
  });
});

describe('JobDesk', () => {
  it('runs the steps in order and ends succeeded with the last sentence', async () => {
    const desk = new JobDesk('demo', null);
    const order: string[] = [];
    const job = desk.start({
      kind: 'cluster:rebalance',
      description: 'rebalance',
      by: 'test',
      steps: [
        { name: 'read', run: () => (order.push('read'), Promise.resolve(null)) },
        { name: 'move', run: () => (order.push('move'), Promise.resolve('moved 3 slots')) },
      ],
    });
    expect(job.state).toBe('running');
    expect(await job.outcome()).toBe('moved 3 slots');
    expect(order).toEqual(['read', 'move']);
    expect(job.state).toBe('succeeded');
    expect(desk.current('cluster:rebalance')).toBeNull();
  });

  it('ends as its steps did when a listener throws: nothing undone, ended resolves', async () => {
    const desk = new JobDesk('demo', null);
    const undone: string[] = [];
    const heard: string[] = [];
    desk.on(() => {
      throw new Error('a broken listener');
    });
    desk.on((record) => heard.push(record.state));
    const job = desk.start({
      kind: 'cluster:add-node',
      description: 'add a node',
      by: 'test',
      steps: [
        {
          name: 'start node',
          run: ({ report }) => (report({ fraction: 0.5 }), Promise.resolve('started')),
          undo: () => (undone.push('start node'), Promise.resolve()),
        },
      ],
    });
    job.on(() => {
      throw new Error('another broken listener');
    });
    const record = await job.ended;
    expect(record.state).toBe('succeeded');
    expect(await job.outcome()).toBe('started');
    expect(undone).toEqual([]);
    expect(heard.at(-1)).toBe('succeeded');
    expect(desk.current('cluster:add-node')).toBeNull();
  });

  it('refuses a second job of the same family while one runs, and allows it after', async () => {
    const desk = new JobDesk('demo', null);
    const first = gate('move');
    const job = desk.start({
      kind: 'cluster:reshard',
      description: 'move 10 slots',
      by: 't',
      steps: [first.step],
    });
    let refusal: unknown = null;
    try {
      desk.start({ kind: 'cluster:add-node', description: 'add', by: 't', steps: [] });
    } catch (err) {
      refusal = err;
    }
    expect(refusal).toBeInstanceOf(ServiceError);
    expect(refusal).toMatchObject({ refusal: 'conflict' });
    expect(String(refusal)).toContain("a cluster job runs on 'demo' (move 10 slots)");
    // another family is not held up
    const drill = desk.start({ kind: 'drill', description: 'drill', by: 't', steps: [] });
    await drill.ended;
    first.release('done');
    await job.ended;
    const again = desk.start({ kind: 'cluster:add-node', description: 'add', by: 't', steps: [] });
    expect((await again.ended).state).toBe('succeeded');
  });

  it('cancels between steps: the next step never starts, the finished ones are undone', async () => {
    const desk = new JobDesk('demo', null);
    const first = gate('start node');
    const undone: string[] = [];
    let secondRan = false;
    const job = desk.start({
      kind: 'cluster:add-node',
      description: 'add',
      by: 't',
      steps: [
        { ...first.step, undo: () => Promise.resolve(void undone.push('start node')) },
        { name: 'join', run: () => ((secondRan = true), Promise.resolve(null)) },
      ],
    });
    await Promise.resolve();
    expect(job.cancel()).toBe(true);
    expect(job.state).toBe('cancelling');
    first.release();
    const record = await job.ended;
    expect(record.state).toBe('cancelled');
    expect(record.error).toBe("cancelled before 'join'");
    expect(secondRan).toBe(false);
    expect(undone).toEqual(['start node']);
    await expect(job.outcome()).rejects.toBeInstanceOf(JobCancelled);
    expect(job.cancel()).toBe(false);
  });

  it('hands the step a signal that a cancel aborts, and keeps the step error on failure', async () => {
    const desk = new JobDesk('demo', null);
    const step = gate('move', true);
    const job = desk.start({ kind: 'drill', description: 'd', by: 't', steps: [step.step] });
    await Promise.resolve();
    expect(desk.cancel('drill')).toBe(true);
    expect((await job.ended).state).toBe('cancelled');

    const failing = desk.start({
      kind: 'drill',
      description: 'd',
      by: 't',
      steps: [{ name: 'inject', run: () => Promise.reject(new Error('no such node')) }],
    });
    const record = await failing.ended;
    expect(record).toMatchObject({ state: 'failed', error: 'no such node' });
    await expect(failing.outcome()).rejects.toThrow('no such node');
  });

  it('pushes every step and progress report to the listeners', async () => {
    const desk = new JobDesk('demo', null);
    const seen: JobRecord[] = [];
    desk.on((record) => seen.push(record));
    const job = desk.start({
      kind: 'cluster:reshard',
      description: 'r',
      by: 't',
      steps: [
        {
          name: 'move',
          run: ({ report }) => {
            report({ fraction: 0.5, message: '5/10 slots' });
            return Promise.resolve('moved 10 slots');
          },
        },
      ],
    });
    await job.ended;
    expect(seen.map((r) => [r.state, r.progress.step, r.progress.fraction])).toEqual([
      ['running', 'move', null],
      ['running', 'move', 0.5],
      ['succeeded', 'move', 0.5],
    ]);
    expect(seen[1]?.progress.message).toBe('5/10 slots');
  });

  it('keeps each ended job as JSON under <dir>/jobs and reads it back, the newest kept', async () => {
    const dir = tempDir();
    const desk = new JobDesk('demo', dir, 3);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const job = desk.start({
        kind: 'cluster:rebalance',
        description: `rebalance ${String(i)}`,
        by: 't',
        steps: [{ name: 'move', run: () => Promise.resolve(`moved ${String(i)}`) }],
      });
      ids.push(job.id);
      await job.ended;
    }
    expect(readdirSync(join(dir, 'jobs')).sort()).toEqual(ids.slice(2).map((id) => `${id}.json`));
    const last = ids[4] ?? '';
    const onDisk: unknown = JSON.parse(readFileSync(join(dir, 'jobs', `${last}.json`), 'utf8'));
    expect(onDisk).toMatchObject({ state: 'succeeded', result: 'moved 4', deployment: 'demo' });
    // a second desk (a restarted server) reads the same records
    const reopened = new JobDesk('demo', dir);
    expect(reopened.read(last)).toMatchObject({ description: 'rebalance 4', state: 'succeeded' });
    expect(reopened.list().map((r) => r.id)).toEqual(ids.slice(2).reverse());
    expect(reopened.read('../../etc/passwd')).toBeNull();
  });
});

import { OPEN_ACCESS } from '../redis/index.js';
import { describe, expect, it } from 'vitest';
import { topology } from '../model/topology.fixture.js';
import { Bus } from '../observer/bus.js';
import type { DrillAdapter, EngineOptions, Measured } from './engine.js';
import { DrillEngine } from './engine.js';
import { drillRun } from './run.fixture.js';
import type { Scenario } from './types.js';
import type { LiveRun } from './types.js';
import { Writers } from './writers.js';

/** Writers with nothing to write: the engine's skeleton is what is under test. */
class IdleWriters extends Writers {
  protected open(): Promise<void> {
    return Promise.resolve();
  }
  protected close(): Promise<void> {
    return Promise.resolve();
  }
}

interface Trace {
  log: string[];
  records: string[];
  live: LiveRun['phase'][];
  healed: number;
  measured: Measured[];
  writers: IdleWriters;
}

function setup(
  fault: { inject?: () => Promise<string>; needsLab?: boolean } = {},
  signal = new AbortController().signal,
  onLog: (line: string) => void = () => undefined,
) {
  const trace: Trace = {
    log: [],
    records: [],
    live: [],
    healed: 0,
    measured: [],
    writers: new IdleWriters(),
  };
  const scenario: Scenario = {
    name: 'nudge',
    kind: 'sentinel',
    description: 'a fault that changes nothing',
    expectFailover: false,
    maxAckedLost: 0,
    lossExpected: 'none',
    fault: {
      needsProcesses: false,
      ...(fault.needsLab ? { needsLab: true } : {}),
      inject: fault.inject ?? (() => Promise.resolve('nudged')),
      heal: () => {
        trace.healed++;
        return Promise.resolve('unnudged');
      },
    },
  };
  const options: EngineOptions = {
    scenario,
    observer: { bus: new Bus(), fresh: () => Promise.resolve(topology()) },
    controller: null,
    record: (type) => {
      trace.records.push(type);
      return Promise.resolve();
    },
    expect: {},
    access: OPEN_ACCESS,
    onLive: (live) => trace.live.push(live.phase),
    progress: () => undefined,
    log: (line) => {
      trace.log.push(line);
      onLog(line);
    },
    signal,
    network: null,
  };
  const adapter: DrillAdapter<{ present: Set<string> }> = {
    labCommand: 'quorum up --network lab',
    processesHint: '',
    marks: new Set(),
    prepare: () =>
      Promise.resolve({
        writers: trace.writers,
        writersIn: null,
        context: { masterName: 'mymaster', sentinelAccess: OPEN_ACCESS, downAfterMs: 1000 },
        awaitOutcome: () => Promise.resolve(),
        healthyTimeoutMs: 1000,
        readBack: () => Promise.resolve({ present: new Set<string>() }),
        judge: (_read, measured) => {
          trace.measured.push(measured);
          return drillRun({ ...measured.common });
        },
      }),
  };
  return { engine: new DrillEngine(options, adapter), trace };
}

describe('DrillEngine', () => {
  it('goes through every phase once, heals, stops the writers and judges what it measured', async () => {
    const { engine, trace } = setup();
    expect(engine.phase).toBe('settling');
    const run = await engine.run();
    expect(trace.log).toEqual([
      'nudge: settling -> warming-up',
      'nudge: warming-up -> fault-injected',
      'nudge: fault-injected -> healing',
      'nudge: healing -> checking',
      'nudge: checking -> done',
    ]);
    expect(engine.phase).toBe('done');
    // the chart sees every phase of a run under way; a finished run is its caller's to announce
    const shown = trace.live.filter((phase, i) => phase !== trace.live[i - 1]);
    expect(shown).toEqual(['warming-up', 'fault-injected', 'healing', 'checking']);
    expect(trace.records).toEqual(['quorum:fault-injected', 'quorum:fault-healed']);
    expect(trace.healed).toBe(1);
    expect(trace.writers.state).toBe('stopped');
    expect(run).toMatchObject({ injected: 'nudged', healed: 'unnudged', writersIn: null });
    const [m] = trace.measured;
    expect(m?.faultAtMs).toBeGreaterThan(m?.startedAtMs ?? Infinity);
    expect(m?.endMs).toBeGreaterThan(m?.faultAtMs ?? Infinity);
    expect(m?.common.healMs).toBeGreaterThanOrEqual(0);
  });

  it('heals and stops the writers when the injection fails, and ends failed', async () => {
    const { engine, trace } = setup({ inject: () => Promise.reject(new Error('no such process')) });
    await expect(engine.run()).rejects.toThrow('no such process');
    expect(trace.healed).toBe(1);
    expect(trace.writers.state).toBe('stopped');
    expect(trace.log.at(-1)).toBe('nudge: healing -> failed');
    expect(engine.phase).toBe('failed');
    expect(trace.measured).toEqual([]);
  });

  it('heals when interrupted during the warm-up, and ends stopped', async () => {
    const abort = new AbortController();
    // interrupted once the warm-up began, not at a time: settling may take any time first
    const { engine, trace } = setup({}, abort.signal, (line) => {
      if (line.endsWith('-> warming-up')) abort.abort();
    });
    await expect(engine.run()).rejects.toThrow('the drill was interrupted');
    expect(trace.healed).toBe(1);
    expect(trace.records).toEqual(['quorum:fault-healed']);
    expect(engine.phase).toBe('stopped');
  });

  it('refuses a lab scenario without a lab before anything runs', async () => {
    const { engine, trace } = setup({ needsLab: true });
    await expect(engine.run()).rejects.toThrow(
      "needs a lab deployment: start one with 'quorum up --network lab'",
    );
    expect(trace.log).toEqual(['nudge: settling -> failed']);
    expect(trace.healed).toBe(0);
    expect(trace.writers.state).toBe('idle');
  });
});

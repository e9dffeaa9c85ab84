import { describe, expect, it } from 'vitest';
import {
  breakEvenS,
  checked,
  costTable,
  headline,
  quorumPerInterval,
  type Measured,
} from './metrics-cost.js';

// shaped like the standalone run in docs/benchmarks.md: cheap renders, costly polling
const measured: Measured = {
  observerUs: 280,
  renderUs: 40,
  exporterUs: 2550,
  quorumBytes: 2000,
  exporterBytes: 23_000,
};

describe('metrics bench cost', () => {
  it('counts every poll of the interval and one render', () => {
    expect(quorumPerInterval(measured, 15)).toBe(280 * 15 + 40);
    expect(quorumPerInterval(measured, 60)).toBe(280 * 60 + 40);
  });

  it('puts the break-even where both cost the same', () => {
    const even = breakEvenS(measured);
    expect(even).toBeCloseTo((2550 - 40) / 280, 6);
    expect(quorumPerInterval(measured, even ?? 0)).toBeCloseTo(measured.exporterUs, 6);
  });

  it('has no break-even when quorum costs more even at 1 s', () => {
    expect(breakEvenS({ ...measured, exporterUs: 300 })).toBeNull();
    expect(breakEvenS({ ...measured, exporterUs: 30 })).toBeNull();
  });

  it('says quorum costs more when it does', () => {
    expect(headline(measured)).toBe(
      'At a 15 s scrape interval quorum costs 1.7x more CPU per node than redis_exporter (they cost the same at a 9.0 s interval; quorum costs less only below it).',
    );
  });

  it('says quorum costs less only when it does', () => {
    expect(headline({ ...measured, observerUs: 100 })).toMatch(
      /^At a 15 s scrape interval quorum costs 1\.7x less CPU per node/,
    );
  });

  it('gives each interval its own ratio in the table', () => {
    const ratios = costTable(measured).at(-1);
    expect(ratios).toBe('| ratio quorum / redis_exporter | 1.66 | 6.60 | 0.11 | 0.09 |');
  });

  it('refuses a measurement in which a process used no visible CPU', () => {
    expect(checked(measured)).toBe(measured);
    expect(() => checked({ ...measured, observerUs: 0 })).toThrow(
      'observerUs measured no CPU at all: run more --rounds or a longer --window.',
    );
  });
});

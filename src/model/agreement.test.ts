import { describe, expect, it } from 'vitest';
import type { Addr } from './address.js';
import { agreeOnMaster } from './agreement.js';
import type { SentinelView } from './topology.js';
import { downSentinel } from './topology.js';

const A = '127.0.0.1:6390';
const B = '127.0.0.1:6391';
const C = '127.0.0.1:6392';

function view(n: number, masterAddr: Addr | null, quorum: number | null = 2): SentinelView {
  return {
    ...downSentinel(`127.0.0.1:${26390 + n}`, ''),
    up: true,
    downReason: null,
    masterAddr,
    masterFlags: ['master'],
    quorum,
  };
}

function down(n: number, masterAddr: Addr | null = null): SentinelView {
  return { ...downSentinel(`127.0.0.1:${26390 + n}`, 'refused'), masterAddr };
}

describe('agreeOnMaster', () => {
  it('agrees when every sentinel names the same master', () => {
    expect(agreeOnMaster([view(0, A), view(1, A), view(2, A)])).toEqual({
      master: A,
      agreeing: 3,
      total: 3,
      candidates: [A],
    });
  });

  it('agrees on the majority of a 2/1 split when quorum is 2', () => {
    expect(agreeOnMaster([view(0, B), view(1, A), view(2, B)])).toEqual({
      master: B,
      agreeing: 2,
      total: 3,
      candidates: [B, A],
    });
  });

  it('has no master on a tie, even when each side reaches quorum', () => {
    const agreement = agreeOnMaster([view(0, A), view(1, B), view(2, A), view(3, B)]);
    expect(agreement.master).toBeNull();
    expect(agreement.agreeing).toBe(2);
    expect(agreement.total).toBe(4);
    expect([...agreement.candidates].sort()).toEqual([A, B]);
  });

  it('has no master when the most-named address falls short of quorum', () => {
    const agreement = agreeOnMaster([view(0, A, 3), view(1, A, 3), view(2, B, 3)]);
    expect(agreement.master).toBeNull();
    expect(agreement.agreeing).toBe(2);
  });

  it('uses the largest quorum any sentinel reports', () => {
    expect(agreeOnMaster([view(0, A, 2), view(1, A, 3), view(2, B, 2)]).master).toBeNull();
  });

  it('ignores what down sentinels named, but counts them in the total', () => {
    const agreement = agreeOnMaster([view(0, A), view(1, A), down(2, B), down(3, B), down(4, B)]);
    expect(agreement).toEqual({ master: A, agreeing: 2, total: 5, candidates: [A] });
  });

  it('has no master when too few sentinels are up to reach quorum', () => {
    expect(agreeOnMaster([view(0, A), down(1), down(2)])).toEqual({
      master: null,
      agreeing: 1,
      total: 3,
      candidates: [A],
    });
  });

  it('ignores up sentinels that name no master', () => {
    expect(agreeOnMaster([view(0, A), view(1, A), view(2, null)])).toEqual({
      master: A,
      agreeing: 2,
      total: 3,
      candidates: [A],
    });
  });

  describe('when no sentinel reported its quorum', () => {
    it('falls back to a majority of all sentinels', () => {
      expect(agreeOnMaster([view(0, A, null), view(1, A, null), view(2, C, null)]).master).toBe(A);
    });

    it('counts down sentinels in that majority', () => {
      // 2 of 5 is not a majority, even though both reachable sentinels agree
      const views = [view(0, A, null), view(1, A, null), down(2), down(3), down(4)];
      expect(agreeOnMaster(views).master).toBeNull();
    });
  });

  it('has no master and no candidates without sentinels', () => {
    expect(agreeOnMaster([])).toEqual({ master: null, agreeing: 0, total: 0, candidates: [] });
  });

  it('has no master when every sentinel is down', () => {
    expect(agreeOnMaster([down(0, A), down(1, A)])).toEqual({
      master: null,
      agreeing: 0,
      total: 2,
      candidates: [],
    });
  });
});

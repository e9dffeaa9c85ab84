import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/server/contract.js';
import { clock } from '../../src/model/format.js';
import { alertTiming, formatDuration, groupAlerts } from './alerts.js';

const T0 = 1_700_000_000_000;

function alert(over: Partial<Alert> & Pick<Alert, 'id' | 'status'>): Alert {
  return {
    rule: 'RedisNodeDown',
    severity: 'critical',
    deployment: 'local',
    subject: '127.0.0.1:6380',
    summary: '127.0.0.1:6380 does not answer: connection refused',
    runbook: 'Check the process and its log on that host.',
    forMs: 30_000,
    sinceMs: T0,
    firedAtMs: null,
    resolvedAtMs: null,
    ...over,
  };
}

describe('formatDuration', () => {
  it('shows at most the two largest units, leaving out a zero second unit', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(999)).toBe('0s');
    expect(formatDuration(12_400)).toBe('12s');
    expect(formatDuration(130_000)).toBe('2m 10s');
    expect(formatDuration(120_000)).toBe('2m');
    expect(formatDuration(3_900_000)).toBe('1h 5m');
    expect(formatDuration(3_600_000 + 59_000)).toBe('1h');
    expect(formatDuration(2 * 86_400_000 + 3 * 3_600_000 + 61_000)).toBe('2d 3h');
  });

  it('treats a negative duration (clocks apart) as none', () => {
    expect(formatDuration(-5000)).toBe('0s');
  });
});

describe('groupAlerts', () => {
  it('lists firing alerts by severity then age, pending by age, resolved newest first', () => {
    const groups = groupAlerts({
      active: [
        alert({ id: 'warn-old', status: 'firing', severity: 'warning', firedAtMs: T0 }),
        alert({ id: 'crit-new', status: 'firing', firedAtMs: T0 + 5000 }),
        alert({ id: 'crit-old', status: 'firing', firedAtMs: T0 + 1000 }),
        alert({ id: 'pend-new', status: 'pending', sinceMs: T0 + 9000 }),
        alert({ id: 'pend-old', status: 'pending', sinceMs: T0 + 2000 }),
      ],
      resolved: [
        alert({ id: 'res-old', status: 'resolved', resolvedAtMs: T0 + 100 }),
        alert({ id: 'res-new', status: 'resolved', resolvedAtMs: T0 + 900 }),
      ],
    });
    expect(groups.firing.map((a) => a.id)).toEqual(['crit-old', 'crit-new', 'warn-old']);
    expect(groups.pending.map((a) => a.id)).toEqual(['pend-old', 'pend-new']);
    expect(groups.resolved.map((a) => a.id)).toEqual(['res-new', 'res-old']);
  });

  it('gives empty groups before the alerts are loaded', () => {
    expect(groupAlerts(undefined)).toEqual({ firing: [], pending: [], resolved: [] });
  });
});

describe('alertTiming', () => {
  it('counts a firing alert from when it fired, not from when its condition began', () => {
    const a = alert({ id: 'a', status: 'firing', sinceMs: T0, firedAtMs: T0 + 30_000 });
    expect(alertTiming(a, T0 + 30_000 + 130_000)).toBe('firing for 2m 10s');
  });

  it('counts a pending alert from when its condition began', () => {
    expect(alertTiming(alert({ id: 'a', status: 'pending' }), T0 + 12_000)).toBe(
      'pending for 12s, fires in 18s if it holds',
    );
  });

  it('says how long a resolved alert fired and when it resolved', () => {
    const resolvedAt = T0 + 30_000 + 182_000;
    const a = alert({
      id: 'a',
      status: 'resolved',
      firedAtMs: T0 + 30_000,
      resolvedAtMs: resolvedAt,
    });
    expect(alertTiming(a, resolvedAt + 300_000)).toBe(
      `fired for 3m 2s, resolved at ${clock(resolvedAt).slice(0, 8)} (5m ago)`,
    );
  });
});

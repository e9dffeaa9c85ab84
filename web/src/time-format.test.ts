import { describe, expect, it } from 'vitest';
import { axisTimes, dateTime, hms, isoDate } from './time-format.js';

// local times: the dashboard writes the browser's zone
const at = (y: number, mo: number, d: number, h: number, mi: number, s: number) =>
  new Date(y, mo - 1, d, h, mi, s).getTime();

describe('time formats', () => {
  it('writes a 24-hour clock and an ISO date, never AM/PM or a US date', () => {
    const ms = at(2026, 12, 7, 17, 50, 22);
    expect(hms(ms)).toBe('17:50:22');
    expect(isoDate(ms)).toBe('2026-12-07');
    expect(dateTime(ms)).toBe('2026-12-07 17:50:22');
    expect(dateTime(at(2026, 1, 2, 5, 4, 3))).toBe('2026-01-02 05:04:03');
  });

  it('labels axis ticks HH:MM on whole minutes, HH:MM:SS otherwise, and the date only across days', () => {
    const minute = at(2026, 12, 7, 23, 58, 0) / 1000;
    expect(axisTimes([minute, minute + 60])).toEqual(['23:58', '23:59']);
    expect(axisTimes([minute + 10, minute + 20])).toEqual(['23:58:10', '23:58:20']);
    expect(axisTimes([minute, minute + 120, minute + 240])).toEqual([
      '23:58\n2026-12-07',
      '00:00\n2026-12-08',
      '00:02',
    ]);
  });
});

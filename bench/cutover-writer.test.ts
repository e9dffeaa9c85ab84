import { describe, expect, it } from 'vitest';
import { backAfterKill } from './cutover-writer.js';

const killedAt = 10_000;

describe('cutover writer', () => {
  it('takes the end of the gap that spans the kill', () => {
    const gaps = [
      { start: 2000, end: 2800 },
      { start: 9998, end: 14_300 },
    ];
    expect(backAfterKill(gaps, killedAt)).toBe(14_300);
  });

  it('counts writes that came back before +switch-master was announced', () => {
    // a proxy checking roles every 100 ms reaches the promoted replica before the switch at 14 s
    expect(backAfterKill([{ start: 9995, end: 13_400 }], killedAt)).toBe(13_400);
  });

  it('does not take an earlier, longer hiccup for the outage', () => {
    const gaps = [
      { start: 1000, end: 6000 },
      { start: 10_001, end: 12_000 },
    ];
    expect(backAfterKill(gaps, killedAt)).toBe(12_000);
  });

  it('is null while the writer has not written since the kill', () => {
    expect(backAfterKill([{ start: 2000, end: 2800 }], killedAt)).toBeNull();
  });
});

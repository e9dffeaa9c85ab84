import { describe, expect, it } from 'vitest';
import { highestSeverity } from './rule.js';

describe('highestSeverity', () => {
  it('is critical over warning over info, and null for no alert', () => {
    expect(highestSeverity([])).toBeNull();
    expect(highestSeverity([{ severity: 'info' }])).toBe('info');
    expect(highestSeverity([{ severity: 'info' }, { severity: 'warning' }])).toBe('warning');
    expect(
      highestSeverity([{ severity: 'warning' }, { severity: 'critical' }, { severity: 'info' }]),
    ).toBe('critical');
  });
});

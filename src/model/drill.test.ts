import { describe, expect, it } from 'vitest';
import { isFinished } from './drill.js';

describe('isFinished', () => {
  it('is true for done, failed and stopped only', () => {
    for (const phase of ['done', 'failed', 'stopped']) expect(isFinished({ phase })).toBe(true);
    for (const phase of ['starting', 'settling', 'fault-injected', 'healing', 'stopping'])
      expect(isFinished({ phase })).toBe(false);
  });
});

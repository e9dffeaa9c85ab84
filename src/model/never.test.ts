import { describe, expect, it } from 'vitest';
import { assertNever } from './never.js';

describe('assertNever', () => {
  it('throws with the value it was given, should one reach it at runtime', () => {
    const outside: unknown = { kind: 'other' };
    expect(() => assertNever(outside as never)).toThrow('unhandled variant: {"kind":"other"}');
  });
});

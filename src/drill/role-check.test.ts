import { describe, expect, it } from 'vitest';
import type { CheckState } from './role-check.js';
import { afterCheck } from './role-check.js';

function run(start: CheckState, results: boolean[]): boolean[] {
  const ups: boolean[] = [];
  let state = start;
  for (const passed of results) {
    state = afterCheck(state, passed);
    ups.push(state.up);
  }
  return ups;
}

describe('afterCheck (HAProxy rise 2, fall 3)', () => {
  it('takes an up server down only after three failed checks in a row', () => {
    expect(run({ up: true, streak: 0 }, [false, false, true, false, false, false])).toEqual([
      true,
      true,
      true,
      true,
      true,
      false,
    ]);
  });

  it('brings a down server up after two passing checks in a row', () => {
    expect(run({ up: false, streak: 0 }, [true, false, true, true])).toEqual([
      false,
      false,
      false,
      true,
    ]);
  });
});

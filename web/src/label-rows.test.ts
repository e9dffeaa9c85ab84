import { describe, expect, it } from 'vitest';
import { labelRows } from './label-rows.js';

describe('labelRows', () => {
  it('keeps labels that do not touch on the first row', () => {
    const labels = [
      { x: 0, width: 30 },
      { x: 40, width: 30 },
      { x: 80, width: 30 },
    ];
    expect(labelRows(labels, 4)).toEqual([0, 0, 0]);
  });

  it('moves a label that would overlap the one before it down a row, in x order', () => {
    // the fault, +sdown and +odown close together, +switch-master far off
    const labels = [
      { x: 300, width: 90 },
      { x: 0, width: 40 },
      { x: 10, width: 50 },
      { x: 20, width: 50 },
    ];
    expect(labelRows(labels, 4)).toEqual([0, 0, 1, 2]);
  });

  it('puts a label that fits no row on the row that ends first', () => {
    const labels = [
      { x: 0, width: 100 },
      { x: 5, width: 20 },
      { x: 10, width: 50 },
    ];
    expect(labelRows(labels, 2)).toEqual([0, 1, 1]);
  });
});

import { describe, expect, it } from 'vitest';
import { formatBytes, formatEvent, table } from './format.js';

describe('table', () => {
  it('aligns columns to the widest cell, two spaces apart', () => {
    const text = table(
      ['ADDR', 'ROLE', 'STATE'],
      [
        ['127.0.0.1:6390', 'master', 'up'],
        ['127.0.0.1:6391', 'replica', 'down'],
      ],
    );
    expect(text).toBe(
      [
        'ADDR            ROLE     STATE',
        '127.0.0.1:6390  master   up',
        '127.0.0.1:6391  replica  down',
      ].join('\n'),
    );
  });

  it('starts every column at the same offset on every line', () => {
    const lines = table(
      ['A', 'B', 'C'],
      [
        ['xxxxxx', 'y', 'z'],
        ['x', 'yyyyyyy', 'zz'],
      ],
    ).split('\n');
    // widths 6 and 7, plus two spaces each: columns start at 0, 8 and 17
    const starts = (line: string) => [0, 8, 17].map((i) => line[i]);
    expect(lines.map(starts)).toEqual([
      ['A', 'B', 'C'],
      ['x', 'y', 'z'],
      ['x', 'y', 'z'],
    ]);
  });

  it('widens a column for a long header', () => {
    expect(table(['LONG HEADER', 'X'], [['a', 'b']])).toBe('LONG HEADER  X\na            b');
  });

  it('does not pad the last column or leave trailing spaces', () => {
    const text = table(
      ['A', 'B'],
      [
        ['1', ''],
        ['22', 'long value'],
      ],
    );
    expect(text).toBe('A   B\n1\n22  long value');
    for (const line of text.split('\n')) expect(line).toBe(line.trimEnd());
  });

  it('prints only the header without rows', () => {
    expect(table(['ADDR', 'ROLE'], [])).toBe('ADDR  ROLE');
  });
});

describe('formatBytes', () => {
  it.each([
    [null, '-'],
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1.0 KiB'],
    [1536, '1.5 KiB'],
    [1153968, '1.1 MiB'],
    [104857600, '100.0 MiB'],
    [3 * 1024 ** 3, '3.0 GiB'],
    [1024 ** 4, '1.0 TiB'],
    [2048 * 1024 ** 4, '2048.0 TiB'],
  ])('formats %s as %s', (n, text) => {
    expect(formatBytes(n)).toBe(text);
  });
});

describe('formatEvent', () => {
  it("gives an event of another day its date, and today's its time alone", () => {
    const at = new Date(2026, 11, 7, 5, 50, 31, 900).getTime();
    const event = {
      id: '1',
      ms: at,
      deployment: 'mymaster',
      type: 'quorum:node-down',
      source: 'quorum' as const,
      message: '127.0.0.1:6390 is down',
      subject: null,
      switch: null,
      reports: [],
      detail: {},
    };
    expect(formatEvent(event, at + 60_000)).toMatch(/^05:50:31\.900 {2}quorum:node-down/);
    expect(formatEvent(event, at + 86_400_000)).toMatch(
      /^2026-12-07 05:50:31\.900 {2}quorum:node-down/,
    );
  });
});

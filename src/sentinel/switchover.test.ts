import { describe, expect, it } from 'vitest';
import { otherSwitchover } from './switchover.js';

const list = [
  'id=7 addr=127.0.0.1:50110 laddr=127.0.0.1:6390 fd=9 name=quorum-observer age=40 idle=0',
  'id=12 addr=127.0.0.1:50222 laddr=127.0.0.1:6390 fd=11 name=quorum-switchover age=2 idle=0',
  'id=15 addr=127.0.0.1:50333 laddr=127.0.0.1:6390 fd=12 name=quorum-switchover age=0 idle=0',
].join('\n');

describe('otherSwitchover', () => {
  it('finds any other switchover, whichever connected first: two that cross both stop', () => {
    expect(otherSwitchover(list, 15)).toBe('from 127.0.0.1:50222, connected 2 s ago');
    expect(otherSwitchover(list, 12)).toBe('from 127.0.0.1:50333, connected 0 s ago');
    expect(otherSwitchover(list.split('\n').slice(0, 2).join('\n'), 12)).toBeNull();
  });

  it('ignores connections of other names and an empty list', () => {
    expect(otherSwitchover(list.split('\n')[0] ?? '', 99)).toBeNull();
    expect(otherSwitchover('', 1)).toBeNull();
  });
});

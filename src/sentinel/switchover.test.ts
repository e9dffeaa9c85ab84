import { describe, expect, it } from 'vitest';
import { earlierSwitchover } from './switchover.js';

const list = [
  'id=7 addr=127.0.0.1:50110 laddr=127.0.0.1:6390 fd=9 name=quorum-observer age=40 idle=0',
  'id=12 addr=127.0.0.1:50222 laddr=127.0.0.1:6390 fd=11 name=quorum-switchover age=2 idle=0',
  'id=15 addr=127.0.0.1:50333 laddr=127.0.0.1:6390 fd=12 name=quorum-switchover age=0 idle=0',
].join('\n');

describe('earlierSwitchover', () => {
  it('finds a switchover that connected first, and lets that one go on', () => {
    expect(earlierSwitchover(list, 15)).toBe('from 127.0.0.1:50222, connected 2 s ago');
    expect(earlierSwitchover(list, 12)).toBeNull();
  });

  it('ignores connections of other names and an empty list', () => {
    expect(earlierSwitchover(list.split('\n')[0] ?? '', 99)).toBeNull();
    expect(earlierSwitchover('', 1)).toBeNull();
  });
});

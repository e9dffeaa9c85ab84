import { describe, expect, it } from 'vitest';
import type { LinkReport } from './links.js';
import { describeLink, isLinkWorking, linkNeedsAttention } from './links.js';

const down: LinkReport = {
  addr: '127.0.0.1:26381',
  purpose: 'sentinel',
  state: 'down',
  sinceMs: 10_000,
  lastError: '127.0.0.1:26381 refused the connection (nothing listens there)',
};

describe('describeLink', () => {
  it('names the purpose, address, state, age and reason', () => {
    expect(describeLink(down, 13_200)).toBe(
      'sentinel 127.0.0.1:26381: down (since 3.2 s): 127.0.0.1:26381 refused the connection (nothing listens there)',
    );
  });

  it('leaves out a reason it does not have', () => {
    const reconnecting: LinkReport = {
      ...down,
      purpose: 'sentinel-events',
      state: 'resubscribing',
      lastError: null,
    };
    expect(describeLink(reconnecting, 55_000)).toBe(
      'sentinel events 127.0.0.1:26381: resubscribing (since 45 s)',
    );
  });

  it('counts long ages in minutes, and a clock behind the report as no time', () => {
    expect(describeLink({ ...down, purpose: 'node', lastError: null }, 10_000 + 600_000)).toBe(
      'node 127.0.0.1:26381: down (since 10 min)',
    );
    expect(describeLink({ ...down, lastError: null }, 9_000)).toBe(
      'sentinel 127.0.0.1:26381: down (since 0.0 s)',
    );
  });
});

describe('isLinkWorking', () => {
  it('is true only for a ready link and a live subscription', () => {
    const states: LinkReport['state'][] = [
      'connecting',
      'ready',
      'reconnecting',
      'down',
      'closed',
      'subscribing',
      'live',
      'resubscribing',
    ];
    expect(states.filter((state) => isLinkWorking({ ...down, state }))).toEqual(['ready', 'live']);
  });
});

describe('linkNeedsAttention', () => {
  const fresh = { ...down, lastError: null };

  it('is true for a link that lost its connection or failed an attempt', () => {
    for (const state of ['reconnecting', 'down', 'resubscribing'] as const)
      expect(linkNeedsAttention({ ...fresh, state })).toBe(true);
    expect(linkNeedsAttention({ ...down, state: 'connecting' })).toBe(true);
    expect(linkNeedsAttention({ ...down, state: 'subscribing' })).toBe(true);
  });

  it('is false while working, while first connecting without a failure, and once closed', () => {
    for (const state of ['ready', 'live', 'connecting', 'subscribing', 'closed'] as const)
      expect(linkNeedsAttention({ ...fresh, state })).toBe(false);
  });
});

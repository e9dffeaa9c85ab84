import { describe, expect, it } from 'vitest';
import type { SentinelTopology } from '../../src/model/index.js';
import { downNode, downSentinel } from '../../src/model/index.js';
import type { NetworkFault, NetworkState } from '../../src/server/contract.js';
import {
  activeCut,
  cutLinks,
  hostOf,
  linkKey,
  memberAt,
  NO_SIDES,
  partitionFault,
  sideOf,
  toggleSide,
} from './partition.js';

const NODES = ['198.18.0.2:6379', '198.18.0.3:6379'];
const SENTINEL = '198.18.0.4:26379';

function network(active: NetworkFault[]): NetworkState {
  return {
    members: [
      { name: 'redis-1', addr: '198.18.0.2' },
      { name: 'redis-2', addr: '198.18.0.3' },
      { name: 'sentinel-1', addr: '198.18.0.4' },
      { name: 'client-1', addr: '198.18.0.20' },
    ],
    active,
    described: [],
  };
}

function topology(): SentinelTopology {
  return {
    name: 'm',
    kind: 'sentinel',
    masterName: 'm',
    agreement: { master: NODES[0] ?? null, agreeing: 1, total: 1, candidates: [] },
    nodes: NODES.map((addr) => downNode(addr, '')),
    sentinels: [downSentinel(SENTINEL, '')],
    observedAtMs: 0,
    certificates: [],
  };
}

describe('memberAt', () => {
  it('finds a member by name, lab address or address:port, and nothing outside the lab', () => {
    const n = network([]);
    expect(memberAt(n, 'redis-2')).toBe('redis-2');
    expect(memberAt(n, '198.18.0.3')).toBe('redis-2');
    expect(memberAt(n, '198.18.0.2:6379')).toBe('redis-1');
    // 198.18.0.2 is a prefix of 198.18.0.20: matched by the whole host, not the start
    expect(memberAt(n, '198.18.0.20:5000')).toBe('client-1');
    expect(memberAt(n, '127.0.0.1:6379')).toBeNull();
    expect(hostOf('198.18.0.2:6379')).toBe('198.18.0.2');
    expect(hostOf('198.18.0.2')).toBe('198.18.0.2');
  });
});

describe('cutLinks', () => {
  it('cuts a partition both ways between groups, and leaves members on no side alone', () => {
    const cut = cutLinks(
      network([{ kind: 'partition', groups: [['redis-1', 'client-1'], ['198.18.0.3']] }]),
      topology(),
    );
    expect([...cut].sort()).toEqual([
      linkKey('198.18.0.2:6379', '198.18.0.3:6379'),
      linkKey('198.18.0.3:6379', '198.18.0.2:6379'),
    ]);
  });

  it('cuts one way from -> to only', () => {
    const cut = cutLinks(
      network([{ kind: 'one-way', from: ['sentinel-1'], to: ['redis-1', 'redis-2'] }]),
      topology(),
    );
    expect([...cut].sort()).toEqual([
      linkKey(SENTINEL, '198.18.0.2:6379'),
      linkKey(SENTINEL, '198.18.0.3:6379'),
    ]);
  });

  it('cuts every link of an isolated member, to the host outside the lab too', () => {
    const cut = cutLinks(network([{ kind: 'isolate', member: 'redis-2' }]), topology(), ['proxy']);
    expect(cut.size).toBe(6);
    expect(cut.has(linkKey('proxy', '198.18.0.3:6379'))).toBe(true);
    expect(cut.has(linkKey('198.18.0.3:6379', SENTINEL))).toBe(true);
    expect(cut.has(linkKey('198.18.0.2:6379', SENTINEL))).toBe(false);
  });

  it('cuts nothing for faults that only slow a link, or with no fault', () => {
    const slow = network([
      { kind: 'latency', member: 'redis-1', delayMs: 100, jitterMs: 0 },
      { kind: 'bandwidth', member: 'redis-2', kbit: 64 },
    ]);
    expect(cutLinks(slow, topology()).size).toBe(0);
    expect(activeCut(slow)).toBeNull();
    expect(cutLinks(network([]), topology()).size).toBe(0);
    const isolate: NetworkFault = { kind: 'isolate', member: 'redis-1' };
    expect(activeCut(network([...slow.active, isolate]))).toEqual(isolate);
  });
});

describe('the side picker', () => {
  it('puts a member on the chosen side, moves it across, and takes it off on a second click', () => {
    const a = toggleSide(NO_SIDES, 'redis-1', 'a');
    expect(a).toEqual({ a: ['redis-1'], b: [] });
    const moved = toggleSide(a, 'redis-1', 'b');
    expect(moved).toEqual({ a: [], b: ['redis-1'] });
    expect(sideOf(moved, 'redis-1')).toBe('b');
    expect(toggleSide(moved, 'redis-1', 'b')).toEqual(NO_SIDES);
    expect(sideOf(NO_SIDES, 'redis-1')).toBeNull();
  });

  it('builds the partition in member order once both sides have a member', () => {
    const n = network([]);
    let sides = toggleSide(NO_SIDES, 'client-1', 'a');
    expect(partitionFault(sides, n)).toBeNull();
    sides = toggleSide(toggleSide(sides, 'redis-2', 'b'), 'redis-1', 'a');
    expect(partitionFault(sides, n)).toEqual({
      kind: 'partition',
      groups: [['redis-1', 'client-1'], ['redis-2']],
    });
  });
});

import { describe, expect, it } from 'vitest';
import { UserError } from '../model/index.js';
import { defaultSpec } from '../local/index.js';
import { parseGroups } from '../cli/fault.js';
import { checkFault, describeFault, labTopology, memberNamed } from './network-fault.js';
import { renderRules } from './network-rules.js';

const spec = defaultSpec({ network: 'lab', lab: { tag: 'abc123', subnet: '198.18.7.0/24' } });
const lab = labTopology(spec);
if (!lab) throw new Error('no lab');

describe('the lab members', () => {
  it('are every process and the client namespaces, each with its veth', () => {
    expect(lab.members.map((m) => m.name)).toEqual([
      'redis-1',
      'redis-2',
      'redis-3',
      'sentinel-1',
      'sentinel-2',
      'sentinel-3',
      'client-1',
      'client-2',
    ]);
    expect(memberNamed(lab, '198.18.7.51:26391').name).toBe('sentinel-2');
    expect(memberNamed(lab, 'client-2').veth).toBe('qvabc12307');
    expect(labTopology(defaultSpec())).toBeNull();
  });
});

describe('renderRules', () => {
  it('cuts a partition both ways between groups, and nowhere inside one', () => {
    const rules = renderRules(lab, [
      {
        kind: 'partition',
        groups: [
          ['redis-1', 'client-1'],
          ['redis-2', 'sentinel-1'],
        ],
      },
    ]);
    expect(rules.get('redis-1')).toEqual({
      input: ['ip saddr { 198.18.7.11, 198.18.7.50 } drop'],
      output: ['ip daddr { 198.18.7.11, 198.18.7.50 } drop'],
      qdisc: null,
    });
    expect(rules.get('sentinel-1')?.output).toEqual(['ip daddr { 198.18.7.10, 198.18.7.90 } drop']);
    // not named: untouched (and quorum on the host sees everyone)
    expect(rules.get('redis-3')).toEqual({ input: [], output: [], qdisc: null });
  });

  it('cuts one way by who opened the connection, so the other side still reaches in', () => {
    const rules = renderRules(lab, [{ kind: 'one-way', from: ['redis-1'], to: ['redis-2'] }]);
    expect(rules.get('redis-1')?.output).toEqual([
      'ip daddr { 198.18.7.11 } ct direction original drop',
    ]);
    expect(rules.get('redis-1')?.input).toEqual([
      'ip saddr { 198.18.7.11 } ct direction reply drop',
    ]);
    expect(rules.get('redis-2')).toEqual({ input: [], output: [], qdisc: null });
  });

  it('isolates, drops a share of packets, and shapes the link', () => {
    const rules = renderRules(lab, [
      { kind: 'isolate', member: 'sentinel-3' },
      { kind: 'loss', member: 'redis-2', percent: 20 },
      { kind: 'bandwidth', member: 'redis-3', kbit: 512 },
    ]);
    expect(rules.get('sentinel-3')?.output).toEqual(['oifname "eth0" drop']);
    expect(rules.get('redis-2')?.input).toEqual(['iifname "eth0" numgen random mod 100 < 20 drop']);
    const all = renderRules(lab, [{ kind: 'loss', member: 'redis-2', percent: 100 }]);
    expect(all.get('redis-2')?.output).toEqual(['oifname "eth0" drop']);
    expect(rules.get('redis-3')?.qdisc).toEqual([
      'tbf',
      'rate',
      '512kbit',
      'burst',
      '32kbit',
      'latency',
      '400ms',
    ]);
  });
});

describe('checkFault', () => {
  it.each([
    [
      { kind: 'partition' as const, groups: [['redis-1'], ['nope']] },
      /'nope' names no member of the lab; use one of: redis-1/,
    ],
    [
      { kind: 'partition' as const, groups: [['redis-1', 'redis-2'], ['redis-2']] },
      /redis-2 is in two groups \(1 and 2\)/,
    ],
    [
      { kind: 'partition' as const, groups: [['redis-1'], []] },
      /group 2 of the partition is empty/,
    ],
  ])('refuses %j with one sentence', (fault, pattern) => {
    expect(() => checkFault(lab, fault)).toThrow(pattern);
    expect(() => checkFault(lab, fault)).toThrow(UserError);
  });
});

describe('parseGroups and describeFault', () => {
  it('reads groups split by | or spaces, members by commas', () => {
    expect(parseGroups(['redis-1,sentinel-1', '|', 'redis-2,redis-3'])).toEqual([
      ['redis-1', 'sentinel-1'],
      ['redis-2', 'redis-3'],
    ]);
    expect(parseGroups(['redis-1,client-1 | redis-2'])).toEqual([
      ['redis-1', 'client-1'],
      ['redis-2'],
    ]);
    expect(describeFault({ kind: 'partition', groups: [['a', 'b'], ['c']] })).toBe(
      'partition a,b | c',
    );
  });
});

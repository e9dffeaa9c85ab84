import { describe, expect, it } from 'vitest';
import { securityProblems } from './checks.js';
import type { NodeFacts, SecurityFacts } from './types.js';

const NOW = Date.parse('2026-12-07T00:00:00Z');
const DAY = 86_400_000;

const node = (over: Partial<NodeFacts> = {}): NodeFacts => ({
  addr: '10.0.0.1:6379',
  bind: ['127.0.0.1'],
  port: 6379,
  tlsPort: null,
  tlsAuthClients: null,
  defaultUserOpen: false,
  requiresAuth: true,
  sentinelUsers: [],
  tlsReplication: null,
  follows: null,
  ...over,
});

const facts = (over: Partial<SecurityFacts> = {}): SecurityFacts => ({
  nodes: [node()],
  sentinels: [],
  certificates: [],
  nodesTlsOnly: false,
  ...over,
});

describe('securityProblems', () => {
  it('finds nothing on a loopback deployment whose sentinels and nodes both ask for a password', () => {
    expect(
      securityProblems(
        facts({
          sentinels: [{ addr: '10.0.0.9:26379', requiresAuth: true, cannotReachMaster: false }],
        }),
        NOW,
      ),
    ).toEqual([]);
  });

  it('warns of a certificate ending within 30 days, and calls one within 7 an error that breaks', () => {
    const cert = (days: number) => ({
      addr: `10.0.0.${days}:6379`,
      process: 'node' as const,
      subject: 'n',
      altNames: '',
      expiresAtMs: NOW + days * DAY,
    });
    const found = securityProblems(facts({ certificates: [cert(40), cert(20), cert(3)] }), NOW);
    expect(found.map((p) => [p.id, p.severity, p.breaks, p.subject])).toEqual([
      ['T3', 'error', true, '10.0.0.3:6379'],
      ['T3', 'warning', false, '10.0.0.20:6379'],
    ]);
    expect(found[0]?.message).toContain('ends on 2026-12-10');
  });

  it('flags an open default user and tls-auth-clients no only beyond loopback', () => {
    const open = node({
      bind: ['0.0.0.0'],
      defaultUserOpen: true,
      tlsPort: 6380,
      tlsAuthClients: 'no',
    });
    expect(securityProblems(facts({ nodes: [open] }), NOW).map((p) => p.id)).toEqual(['A1', 'T4']);
    const local = node({ defaultUserOpen: true, tlsPort: 6380, tlsAuthClients: 'no' });
    expect(securityProblems(facts({ nodes: [local] }), NOW)).toEqual([]);
  });

  it('flags sentinels that take commands from anyone in front of guarded nodes', () => {
    const found = securityProblems(
      facts({
        sentinels: [{ addr: '10.0.0.9:26379', requiresAuth: false, cannotReachMaster: false }],
      }),
      NOW,
    );
    expect(found.map((p) => [p.id, p.subject])).toEqual([['A2', '10.0.0.9:26379']]);
  });

  it('names the failover steps the sentinels’ user may not run', () => {
    const found = securityProblems(
      facts({
        nodes: [
          node({ sentinelUsers: [{ user: 'sentinel', refused: ['slaveof', 'config|rewrite'] }] }),
        ],
      }),
      NOW,
    );
    expect(found).toHaveLength(1);
    expect(found[0]?.breaks).toBe(true);
    expect(found[0]?.message).toBe(
      "the sentinels log in to 10.0.0.1:6379 as 'sentinel', which may not run SLAVEOF, CONFIG|REWRITE: a failover would stop half-way; add +slaveof +config|rewrite to its rules (quorum acl print sentinel)",
    );
  });

  it('names a replica that speaks plain TCP to a TLS-only master', () => {
    const master = node({ addr: '10.0.0.1:6379', port: 0, tlsPort: 6379 });
    const plain = node({ addr: '10.0.0.2:6379', follows: '10.0.0.1:6379', tlsReplication: false });
    const fine = node({ addr: '10.0.0.3:6379', follows: '10.0.0.1:6379', tlsReplication: true });
    const found = securityProblems(facts({ nodes: [master, plain, fine] }), NOW);
    expect(found.map((p) => [p.id, p.subject, p.breaks])).toEqual([['T2', '10.0.0.2:6379', true]]);
  });

  it('explains a sentinel that sees TLS-only nodes down: it lacks tls-replication', () => {
    const sentinels = [{ addr: '10.0.0.9:26379', requiresAuth: true, cannotReachMaster: true }];
    expect(
      securityProblems(facts({ sentinels, nodesTlsOnly: true }), NOW).map((p) => p.id),
    ).toEqual(['T1']);
    expect(securityProblems(facts({ sentinels, nodesTlsOnly: false }), NOW)).toEqual([]);
  });
});

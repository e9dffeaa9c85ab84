import type { Addr, CertificateInfo } from '../model/index.js';
import { isLoopback } from '../model/index.js';
import type { NodeFacts, SecurityFacts, SentinelFacts } from './types.js';

export type Severity = 'error' | 'warning';

/** One thing about TLS or ACLs that will go wrong, with what to change. */
export interface SecurityProblem {
  /** Whether it stops a failover or a client now (else: an exposure to close). */
  breaks: boolean;
  /** The check's id, as the doctor will list it (T3, A1, ...). */
  id: string;
  severity: Severity;
  /** The process it is about. */
  subject: Addr;
  message: string;
}

const DAY_MS = 86_400_000;

/** T3: a certificate that ends within 30 days (warning) or 7 days (error). */
function certificateProblems(certs: readonly CertificateInfo[], nowMs: number): SecurityProblem[] {
  return certs.flatMap((c) => {
    const left = c.expiresAtMs - nowMs;
    if (left >= 30 * DAY_MS) return [];
    const on = new Date(c.expiresAtMs).toISOString().slice(0, 10);
    return [
      {
        id: 'T3',
        breaks: left < 7 * DAY_MS,
        severity: left < 7 * DAY_MS ? 'error' : 'warning',
        subject: c.addr,
        message: `the TLS certificate of ${c.addr} ${left <= 0 ? 'ended' : 'ends'} on ${on}; replace the file and run CONFIG SET tls-cert-file <path> (Redis does not watch it)`,
      },
    ];
  });
}

/** T4 and A1: a server anyone on the network can reach without a certificate or a password. */
function exposureProblems(n: NodeFacts): SecurityProblem[] {
  // `-::1` is optional loopback (Redis's own default line); no bind at all is every interface
  const binds = n.bind.map((b) => b.replace(/^-/, ''));
  const open = binds.length === 0 || binds.some((b) => !isLoopback(b));
  if (!open) return [];
  const problems: SecurityProblem[] = [];
  if (n.tlsPort !== null && n.tlsAuthClients === 'no')
    problems.push({
      id: 'T4',
      breaks: false,
      severity: 'warning',
      subject: n.addr,
      message: `${n.addr} listens on ${n.bind.join(' ')} with tls-auth-clients no: anyone who reaches it can try passwords; set tls-auth-clients yes`,
    });
  if (n.defaultUserOpen === true)
    problems.push({
      id: 'A1',
      breaks: false,
      severity: 'error',
      subject: n.addr,
      message: `${n.addr} listens on ${n.bind.join(' ')} and its default user is on with no password: anyone who reaches it runs any command; set requirepass or ACL SETUSER default off`,
    });
  return problems;
}

/** A2: sentinels anyone may command (SENTINEL FAILOVER, SENTINEL SET) in front of guarded nodes. */
function openSentinels(nodes: readonly NodeFacts[], sentinels: readonly SentinelFacts[]) {
  if (!nodes.some((n) => n.requiresAuth === true)) return [];
  return sentinels
    .filter((s) => s.requiresAuth === false)
    .map((s): SecurityProblem => ({
      id: 'A2',
      breaks: false,
      severity: 'warning',
      subject: s.addr,
      message: `${s.addr} takes commands without a password while the data nodes ask for one: anyone who reaches it can SENTINEL FAILOVER or SENTINEL SET; give the sentinels requirepass or ACL users`,
    }));
}

/** S41: the user the sentinels log in with cannot run a step of a failover. */
function sentinelUserProblems(nodes: readonly NodeFacts[]): SecurityProblem[] {
  return nodes.flatMap((n) =>
    n.sentinelUsers.flatMap((u) =>
      u.refused.length === 0
        ? []
        : [
            {
              id: 'S41',
              breaks: true,
              severity: 'error' as const,
              subject: n.addr,
              message: `the sentinels log in to ${n.addr} as '${u.user}', which may not run ${u.refused.map((c) => c.toUpperCase()).join(', ')}: a failover would stop half-way; add ${u.refused.map((c) => `+${c}`).join(' ')} to its rules (quorum acl print sentinel)`,
            },
          ],
    ),
  );
}

/** T1: a sentinel that sees a master down which answers quorum: TLS-only nodes, plain sentinel. */
function tlsReplicationProblems(facts: SecurityFacts): SecurityProblem[] {
  if (!facts.nodesTlsOnly) return [];
  return facts.sentinels
    .filter((s) => s.cannotReachMaster)
    .map((s) => ({
      id: 'T1',
      // a sentinel flags a master down for a moment after its own restart too: told, not failed
      breaks: false,
      severity: 'warning' as const,
      subject: s.addr,
      message: `${s.addr} sees the master down while it answers quorum over TLS: the nodes are TLS-only, and a sentinel needs tls-replication yes (with its certificate files) to reach them`,
    }));
}

/** T2: a replica that speaks plain TCP to a master that listens on TLS only. */
function replicaTlsProblems(nodes: readonly NodeFacts[]): SecurityProblem[] {
  const tlsOnly = new Set(
    nodes.filter((n) => n.port === 0 && n.tlsPort !== null).map((n) => n.addr),
  );
  return nodes
    .filter((n) => n.follows !== null && tlsOnly.has(n.follows) && n.tlsReplication === false)
    .map((n) => ({
      id: 'T2',
      breaks: true,
      severity: 'error' as const,
      subject: n.addr,
      message: `${n.addr} replicates ${n.follows ?? 'its master'} over plain TCP, but that master listens on TLS only: set tls-replication yes on ${n.addr}`,
    }));
}

/** Every problem the facts show, errors first (pure). */
export function securityProblems(facts: SecurityFacts, nowMs: number): SecurityProblem[] {
  const problems = [
    ...certificateProblems(facts.certificates, nowMs),
    ...tlsReplicationProblems(facts),
    ...replicaTlsProblems(facts.nodes),
    ...facts.nodes.flatMap(exposureProblems),
    ...openSentinels(facts.nodes, facts.sentinels),
    ...sentinelUserProblems(facts.nodes),
  ];
  return problems.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
}

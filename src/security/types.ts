import type { Addr, CertificateInfo } from '../model/index.js';

/** What one data node says about its own exposure and users; null where it would not say. */
export interface NodeFacts {
  addr: Addr;
  /** Its `bind` addresses. */
  bind: string[];
  /** Its plain `port` (0: TLS only) and `tls-port`; null when CONFIG GET is refused. */
  port: number | null;
  tlsPort: number | null;
  tlsAuthClients: string | null;
  /** `tls-replication`: whether it speaks TLS to its master; null when not read. */
  tlsReplication: boolean | null;
  /** The master it follows (a replica), as observed; null for a master. */
  follows: Addr | null;
  /** The default user is on with no password. */
  defaultUserOpen: boolean | null;
  /** A client without credentials gets NOAUTH. */
  requiresAuth: boolean | null;
  /** The users the sentinels are logged in as here, and the failover steps each may not run. */
  sentinelUsers: { user: string; refused: string[] }[];
}

export interface SentinelFacts {
  addr: Addr;
  requiresAuth: boolean | null;
  /** It flags the master down (or has no link) while the master answers quorum. */
  cannotReachMaster: boolean;
}

/** What the security checks look at, gathered once (`gatherSecurityFacts`). */
export interface SecurityFacts {
  nodes: NodeFacts[];
  sentinels: SentinelFacts[];
  certificates: CertificateInfo[];
  /** Every node answering has `port 0` and a tls-port. */
  nodesTlsOnly: boolean;
}

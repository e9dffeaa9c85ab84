import type { ObserveTarget } from '../observer/index.js';
import type { Access, LinkOptions } from '../redis/index.js';

/**
 * How quorum reaches a deployment's processes: one object the handle carries and every link is
 * opened with. Data nodes and sentinels have credentials and TLS settings of their own
 * (Sentinel's `requirepass` and ACL users are separate from the nodes', and so may its TLS be).
 */
export interface ConnectionProfile {
  /** The data nodes: user, password (`requirepass` or an ACL user's), TLS. */
  node: Access;
  /** The sentinels; Sentinel deployments only (else the nodes' access). */
  sentinel: Access;
}

/** The profile an observer target carries (a cluster has only the nodes' access). */
export function profileOf(target: ObserveTarget): ConnectionProfile {
  return {
    node: target.access,
    sentinel: target.kind === 'sentinel' ? target.sentinelAccess : target.access,
  };
}

/** Which credentials a process takes: the data nodes' or the sentinels'. */
export type ProcessRole = 'node' | 'sentinel';

/** Options for a link to `addr` opened with the profile's credentials for `role`. */
export function linkOptions(
  profile: ConnectionProfile,
  role: ProcessRole,
  purpose: string,
  timeoutMs: number,
): LinkOptions {
  return { timeoutMs, access: profile[role], connectionName: `quorum-${purpose}` };
}

import type { LinkOptions } from '../redis/index.js';

/**
 * How quorum authenticates to a deployment's processes: one object the handle carries and every
 * link is opened with. Data nodes and sentinels may have credentials of their own (Sentinel's
 * `requirepass` is separate from the nodes').
 */
export interface ConnectionProfile {
  /** Password of the data nodes (`requirepass`, `masterauth`). */
  password: string | null;
  /** Password of the sentinels; Sentinel deployments only. */
  sentinelPassword: string | null;
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
  return {
    timeoutMs,
    password: role === 'sentinel' ? profile.sentinelPassword : profile.password,
    connectionName: `quorum-${purpose}`,
  };
}

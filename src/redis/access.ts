import type { ConnectionOptions } from 'node:tls';

/**
 * TLS towards one kind of process. The PEM texts are read once (from files the person named),
 * so a child process or a worker gets the same settings without reading files again.
 */
export interface TlsSettings {
  /** PEM of the CA that signed the servers; null for the system's CAs. */
  ca: string | null;
  /** PEM of quorum's client certificate (servers with `tls-auth-clients yes` ask for one). */
  cert: string | null;
  /** PEM of that certificate's private key. */
  key: string | null;
  /** The name the server certificate must carry (SNI); null for the address's host. */
  servername: string | null;
  /** Skip verifying the server certificate (`--insecure`). @default false */
  insecure: boolean;
  /** Where the PEM texts came from, for messages and for tools given file names (redis-cli). */
  files: { ca: string | null; cert: string | null; key: string | null };
}

/**
 * How quorum reaches one kind of process (data nodes, or sentinels): who it is, and whether it
 * speaks TLS. The secret is only ever in memory; it comes from an environment variable or a file.
 */
export interface Access {
  /** Whose credentials these are: the data nodes' or the sentinels' (named in error sentences). */
  of: 'node' | 'sentinel';
  /** ACL user; null for `default` (AUTH with a password only). */
  user: string | null;
  /** Password; null for none. */
  password: string | null;
  /** TLS settings; null for plain TCP. */
  tls: TlsSettings | null;
}

/** No user, no password, no TLS: a fresh local Redis. */
export const OPEN_ACCESS: Access = { of: 'node', user: null, password: null, tls: null };

/** Access with only a password. */
export function passwordAccess(of: Access['of'], password: string | null): Access {
  return { of, user: null, password, tls: null };
}

/** Node's TLS options for a connection to `host` with these settings. */
export function tlsOptions(tls: TlsSettings): ConnectionOptions {
  return {
    ...(tls.ca !== null ? { ca: tls.ca } : {}),
    ...(tls.cert !== null ? { cert: tls.cert } : {}),
    ...(tls.key !== null ? { key: tls.key } : {}),
    ...(tls.servername !== null ? { servername: tls.servername } : {}),
    rejectUnauthorized: !tls.insecure,
  };
}

/** The ioredis options that carry an access: username, password and TLS. */
export function accessOptions(access: Access): {
  username?: string;
  password?: string;
  tls?: ConnectionOptions;
} {
  return {
    ...(access.user !== null ? { username: access.user } : {}),
    ...(access.password !== null ? { password: access.password } : {}),
    ...(access.tls !== null ? { tls: tlsOptions(access.tls) } : {}),
  };
}

/**
 * The ioredis options of a client that asks the sentinels for its node: the nodes' access as the
 * client's own, the sentinels' as `sentinel*` (both may differ, TLS included).
 */
export function sentinelModeOptions(
  node: Access,
  sentinel: Access,
): ReturnType<typeof accessOptions> & {
  sentinelUsername?: string;
  sentinelPassword?: string;
  sentinelTLS?: ConnectionOptions;
  enableTLSForSentinelMode?: boolean;
} {
  return {
    ...accessOptions(node),
    ...(node.tls !== null ? { enableTLSForSentinelMode: true } : {}),
    ...(sentinel.user !== null ? { sentinelUsername: sentinel.user } : {}),
    ...(sentinel.password !== null ? { sentinelPassword: sentinel.password } : {}),
    ...(sentinel.tls !== null ? { sentinelTLS: tlsOptions(sentinel.tls) } : {}),
  };
}

/** redis-cli's flags for an access (the password goes by REDISCLI_AUTH, never argv). */
export function redisCliFlags(access: Access): string[] {
  const flags: string[] = [];
  if (access.user !== null) flags.push('--user', access.user);
  const tls = access.tls;
  if (tls) {
    flags.push('--tls');
    if (tls.files.ca !== null) flags.push('--cacert', tls.files.ca);
    if (tls.files.cert !== null) flags.push('--cert', tls.files.cert);
    if (tls.files.key !== null) flags.push('--key', tls.files.key);
    if (tls.servername !== null) flags.push('--sni', tls.servername);
    if (tls.insecure) flags.push('--insecure');
  }
  return flags;
}

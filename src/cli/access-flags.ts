import type { Command } from 'commander';
import type { Access } from '../redis/index.js';
import type { AccessInput } from './access-input.js';
import { accessFrom } from './access-input.js';

/** The connection flags of a command that attaches (`--sentinel`, `--cluster`). */
export interface AccessFlags {
  user?: string;
  password?: string;
  passwordEnv?: string;
  tls?: boolean;
  cacert?: string;
  cert?: string;
  key?: string;
  sni?: string;
  insecure?: boolean;
  sentinelUser?: string;
  sentinelPassword?: string;
  sentinelPasswordEnv?: string;
  sentinelTls?: boolean;
  sentinelCacert?: string;
  sentinelCert?: string;
  sentinelKey?: string;
  sentinelSni?: string;
  sentinelInsecure?: boolean;
}

/** Adds the connection flags: credentials and TLS for the data nodes, and for the sentinels. */
export function accessFlags(command: Command): Command {
  return sentinelAccessFlags(nodeAccessFlags(command));
}

/** Credentials and TLS for the data nodes: all a Redis Cluster command needs. */
export function nodeAccessFlags(command: Command): Command {
  return command
    .option('--user <name>', 'ACL user on the data nodes (default: the default user)')
    .option('--password-env <var>', 'environment variable holding the data nodes’ password')
    .option(
      '--password <password>',
      'data node password itself, for local use: other users can read argv (or QUORUM_PASSWORD)',
    )
    .option('--tls', 'speak TLS to the data nodes (rediss:// addresses do too)')
    .option('--cacert <file>', 'with --tls: PEM of the CA that signed the servers')
    .option('--cert <file>', 'with --tls: PEM client certificate (tls-auth-clients yes)')
    .option('--key <file>', 'with --tls: PEM private key of --cert')
    .option('--sni <name>', 'with --tls: the name the server certificates carry')
    .option('--insecure', 'with --tls: do not verify server certificates');
}

/** Credentials and TLS for the sentinels. */
function sentinelAccessFlags(command: Command): Command {
  return command
    .option(
      '--sentinel-user <name>',
      'ACL user on the sentinels (with no --sentinel-user/--sentinel-password*: the nodes’ user and password)',
    )
    .option('--sentinel-password-env <var>', 'environment variable holding the sentinels’ password')
    .option(
      '--sentinel-password <password>',
      'sentinel password itself, for local use (default: the data nodes’ credentials)',
    )
    .option('--sentinel-tls', 'speak TLS to the sentinels; file flags default to the nodes’ ones')
    .option('--sentinel-cacert <file>', 'with --sentinel-tls: PEM of the sentinels’ CA')
    .option('--sentinel-cert <file>', 'with --sentinel-tls: PEM client certificate')
    .option('--sentinel-key <file>', 'with --sentinel-tls: PEM private key')
    .option('--sentinel-sni <name>', 'with --sentinel-tls: the name their certificates carry')
    .option('--sentinel-insecure', 'with --sentinel-tls: do not verify their certificates');
}

/** The flags that say how to reach processes, by their option names. */
const NODE_FLAGS = [
  'user',
  'passwordEnv',
  'tls',
  'cacert',
  'cert',
  'key',
  'sni',
  'insecure',
] as const;
const SENTINEL_FLAGS = [
  'sentinelUser',
  'sentinelPassword',
  'sentinelPasswordEnv',
  'sentinelTls',
  'sentinelCacert',
  'sentinelCert',
  'sentinelKey',
  'sentinelSni',
  'sentinelInsecure',
] as const;

const flagName = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/**
 * The connection flags given that a target does not use, as one sentence; null when none is.
 * A local deployment is reached as `up` made it; a cluster has no sentinels.
 */
export function unusedAccessFlags(
  flags: AccessFlags,
  target: 'local' | 'cluster' | 'sentinel',
): string | null {
  const given = (keys: readonly (keyof AccessFlags)[]) =>
    keys.filter((k) => flags[k] !== undefined).map(flagName);
  if (target === 'local') {
    const unused = given([...NODE_FLAGS, ...SENTINEL_FLAGS]);
    return unused.length > 0
      ? `${unused.join(', ')} ${unused.length === 1 ? 'is' : 'are'} for --sentinel or --cluster; a local deployment (--dir) is reached the way up made it`
      : null;
  }
  if (target === 'cluster') {
    const unused = given(SENTINEL_FLAGS);
    return unused.length > 0
      ? `${unused.join(', ')} ${unused.length === 1 ? 'is' : 'are'} for sentinels, and a cluster has none; drop ${unused.length === 1 ? 'it' : 'them'}`
      : null;
  }
  return null;
}

/**
 * The nodes' and the sentinels' access from the flags. The sentinels' credentials default to the
 * nodes' (user and password together: `up --password` gives both the same), their TLS files to
 * the nodes' ones. `urlTls` says which addresses were given as `rediss://`.
 */
export function accessOfFlags(
  flags: AccessFlags,
  urlTls: { node: boolean; sentinel: boolean },
  env: NodeJS.ProcessEnv = process.env,
): { node: Access; sentinel: Access } {
  const node: AccessInput = {
    user: flags.user,
    password: flags.password ?? (flags.passwordEnv === undefined ? env.QUORUM_PASSWORD : undefined),
    passwordEnv: flags.passwordEnv,
    tls: flags.tls === true || urlTls.node,
    cacert: flags.cacert,
    cert: flags.cert,
    key: flags.key,
    sni: flags.sni,
    insecure: flags.insecure,
  };
  const ownCredentials =
    flags.sentinelUser !== undefined ||
    flags.sentinelPassword !== undefined ||
    flags.sentinelPasswordEnv !== undefined;
  const sentinel: AccessInput = {
    ...(ownCredentials
      ? {
          user: flags.sentinelUser,
          password: flags.sentinelPassword,
          passwordEnv: flags.sentinelPasswordEnv,
        }
      : { user: node.user, password: node.password, passwordEnv: node.passwordEnv }),
    tls: flags.sentinelTls === true || urlTls.sentinel,
    cacert: flags.sentinelCacert ?? node.cacert,
    cert: flags.sentinelCert ?? node.cert,
    key: flags.sentinelKey ?? node.key,
    sni: flags.sentinelSni ?? node.sni,
    insecure: flags.sentinelInsecure ?? node.insecure,
  };
  // with --sentinel-tls alone, the file flags serve the sentinels: the nodes stay plain
  const nodePlain = node.tls !== true && sentinel.tls === true;
  const nodeAccess = accessFrom(
    'node',
    nodePlain ? { user: node.user, password: node.password, passwordEnv: node.passwordEnv } : node,
    (field) => `--${kebab(field)}`,
    env,
  );
  // the nodes' TLS files apply to the sentinels only once --sentinel-tls asks for TLS there;
  // sentinel file flags without it are refused as the nodes' ones are
  const sentinelInput: AccessInput =
    sentinel.tls === true
      ? sentinel
      : {
          user: sentinel.user,
          password: sentinel.password,
          passwordEnv: sentinel.passwordEnv,
          cacert: flags.sentinelCacert,
          cert: flags.sentinelCert,
          key: flags.sentinelKey,
          sni: flags.sentinelSni,
        };
  return {
    node: nodeAccess,
    sentinel: accessFrom('sentinel', sentinelInput, (f) => `--sentinel-${kebab(f)}`, env),
  };
}

function kebab(field: keyof AccessInput): string {
  return field === 'passwordEnv' ? 'password-env' : field;
}

import type { Command } from 'commander';
import { UserError } from '../model/index.js';
import type { ClusterSpec, LocalSpec, LocalState, SentinelSpec } from '../local/index.js';
import { defaultSpec, newAclSpec } from '../local/index.js';
import type { UpOptions } from './up-run.js';

/** A field of either kind of spec. */
type SpecField = Exclude<keyof SentinelSpec | keyof ClusterSpec, 'lab'>;

/** Flags that shape the topology, with the spec field each sets. */
const SPEC_FLAGS: [keyof UpOptions, SpecField, string][] = [
  ['mode', 'mode', '--mode'],
  ['masters', 'masters', '--masters'],
  ['replicasPerMaster', 'replicasPerMaster', '--replicas-per-master'],
  ['nodeTimeout', 'nodeTimeoutMs', '--node-timeout'],
  ['name', 'name', '--name'],
  ['replicas', 'replicas', '--replicas'],
  ['sentinels', 'sentinels', '--sentinels'],
  ['quorum', 'quorum', '--quorum'],
  ['downAfter', 'downAfterMs', '--down-after'],
  ['failoverTimeout', 'failoverTimeoutMs', '--failover-timeout'],
  ['port', 'port', '--port'],
  ['sentinelPort', 'sentinelPort', '--sentinel-port'],
  ['password', 'password', '--password'],
  ['autorestart', 'autorestart', '--autorestart'],
  ['preset', 'preset', '--preset'],
  ['proxyPort', 'proxyPort', '--proxy-port'],
  ['network', 'network', '--network'],
  ['tls', 'tls', '--tls'],
  ['tlsAuthClients', 'tls', '--tls-auth-clients'],
  ['acl', 'acl', '--acl'],
];

/** Flags that only a Sentinel deployment has. */
const SENTINEL_ONLY: [keyof UpOptions, string][] = [
  ['replicas', '--replicas (use --replicas-per-master)'],
  ['sentinels', '--sentinels'],
  ['quorum', '--quorum'],
  ['downAfter', '--down-after (use --node-timeout)'],
  ['failoverTimeout', '--failover-timeout'],
  ['sentinelPort', '--sentinel-port'],
  ['proxyPort', '--proxy-port'],
];

function specFrom(opts: UpOptions, cmd: Command): LocalSpec {
  const given = (option: keyof UpOptions) => cmd.getOptionValueSource(option) === 'cli';
  if (given('tlsAuthClients') && opts.tls !== true)
    throw new UserError('--tls-auth-clients sets how TLS servers treat clients; add --tls', 2);
  const tls = opts.tls === true ? { authClients: opts.tlsAuthClients } : null;
  const givenPassword = opts.password ?? process.env.QUORUM_PASSWORD ?? null;
  // with --acl, --password is the app user's password; the default user is off
  const acl = opts.acl === true ? newAclSpec(givenPassword) : null;
  const password = acl ? null : givenPassword;
  if (opts.mode === 'cluster') {
    const wrong = SENTINEL_ONLY.find(([option]) => given(option));
    if (wrong)
      throw new UserError(
        `${wrong[1]} is a Sentinel setting; a cluster (--mode cluster) has no sentinels: drop it`,
        2,
      );
    return defaultSpec({
      mode: 'cluster',
      masters: opts.masters,
      replicasPerMaster: opts.replicasPerMaster,
      nodeTimeoutMs: opts.nodeTimeout,
      ...(given('name') ? { name: opts.name } : {}),
      ...(given('port') ? { port: opts.port } : {}),
      password,
      autorestart: opts.autorestart === true,
      preset: opts.preset,
      network: opts.network,
      tls,
      acl,
    });
  }
  const clusterOnly = (['masters', 'replicasPerMaster', 'nodeTimeout'] as const).find(given);
  if (clusterOnly)
    throw new UserError(
      `--${clusterOnly.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} is a cluster setting; add --mode cluster`,
      2,
    );
  return defaultSpec({
    name: opts.name,
    replicas: opts.replicas,
    sentinels: opts.sentinels,
    ...(opts.quorum !== undefined ? { quorum: opts.quorum } : {}),
    downAfterMs: opts.downAfter,
    failoverTimeoutMs: opts.failoverTimeout,
    port: opts.port,
    ...(opts.sentinelPort !== undefined ? { sentinelPort: opts.sentinelPort } : {}),
    password,
    autorestart: opts.autorestart === true,
    preset: opts.preset,
    ...(opts.proxy ? {} : { proxyPort: null }),
    ...(opts.proxy && opts.proxyPort !== undefined ? { proxyPort: opts.proxyPort } : {}),
    network: opts.network,
    tls,
    acl,
  });
}

function shown(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    ? String(value)
    : JSON.stringify(value);
}

/**
 * The spec to start: a dir that holds a stopped deployment is started again as it was (its
 * configs carry the roles Sentinel rewrote); flags that contradict it are refused.
 */
export function chooseSpec(
  cmd: Command,
  opts: UpOptions,
  dir: string,
  state: LocalState | null,
): LocalSpec {
  const wanted = specFrom(opts, cmd);
  if (!state) return wanted;
  // the proxy is part of what the dir holds, as the ports are: refused, not silently kept
  const storedProxy = state.spec.mode === 'sentinel' ? state.spec.proxyPort : null;
  if (cmd.getOptionValueSource('proxy') === 'cli' && !opts.proxy && storedProxy !== null)
    throw new UserError(
      `${dir} holds the deployment '${state.spec.name}' made with its proxy on port ${String(storedProxy)}; start it as it is (without --no-proxy), use another --dir, or delete it with 'quorum down --dir ${dir} --purge'`,
      2,
    );
  // each kind has fields of its own: a flag of the other kind finds nothing stored
  // with --acl, --password is the app user's: it is compared there, after the ACL itself
  const acl = (spec: LocalSpec) => ({
    ...spec,
    password: spec.acl?.passwords.app ?? spec.password,
  });
  const stored = new Map<string, unknown>(Object.entries(acl(state.spec)));
  const asked = new Map<string, unknown>(Object.entries(acl(wanted)));
  const flags = [...SPEC_FLAGS].sort(([a], [b]) => Number(b === 'acl') - Number(a === 'acl'));
  for (const [option, field, flag] of flags) {
    if (cmd.getOptionValueSource(option) !== 'cli') continue;
    const value = stored.get(field);
    // ACL passwords are made at the first start: only whether there is an ACL must agree
    const same =
      field === 'acl'
        ? (value === null) === (asked.get(field) === null)
        : JSON.stringify(value) === JSON.stringify(asked.get(field));
    if (same) continue;
    const made =
      value === undefined
        ? `, a ${state.spec.mode === 'cluster' ? 'cluster' : 'Sentinel deployment'} made without ${flag}`
        : value === null
          ? ` made without ${flag}`
          : ` made with ${flag} ${field === 'password' ? '(another password)' : shown(value)}`;
    throw new UserError(
      `${dir} holds the deployment '${state.spec.name}'${made}; start it as it is (without ${flag}), use another --dir, or delete it with 'quorum down --dir ${dir} --purge'`,
      2,
    );
  }
  return state.spec;
}

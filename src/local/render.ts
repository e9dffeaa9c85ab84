import { dirname, join } from 'node:path';
import { ACL_RULES, aclUserLine, NODE_ACL_USERS } from '../model/index.js';
import type { AclSpec, LocalSpec, PlannedProcess, SentinelSpec } from './spec.js';
import { tlsFiles } from './tls-files.js';
import { firstMasterAddr } from './spec.js';

/** In a lab every process has its own address: others reach it there, not on loopback. */
function labLines(spec: LocalSpec, proc: PlannedProcess): string[] {
  if (!spec.lab) return [];
  const announce =
    proc.kind === 'sentinel'
      ? [`sentinel announce-ip ${proc.host}`, `sentinel announce-port ${proc.port}`]
      : [`replica-announce-ip ${proc.host}`, `replica-announce-port ${proc.port}`];
  if (spec.mode === 'cluster') announce.push(`cluster-announce-ip ${proc.host}`);
  return [
    '# lab network: reached on its own address from the other namespaces (quorum up --network lab)',
    'protected-mode no',
    ...announce,
  ];
}

/**
 * `up --tls`: TLS only. Its certificate serves clients and, towards its peers, replication, the
 * sentinels' links and the cluster bus; Sentinel uses tls-replication for its links to the
 * nodes (a sentinel without it sees a TLS-only master as down).
 */
function listenLines(spec: LocalSpec, proc: PlannedProcess, dir: string): string[] {
  if (!spec.tls) return [`port ${proc.port}`];
  const files = tlsFiles(dirname(dir));
  const own = files.of(proc.name);
  return [
    '# TLS only (quorum up --tls): no plain port; certificates in ../tls/ (quorum up made them)',
    'port 0',
    `tls-port ${proc.port}`,
    `tls-cert-file "${own.cert}"`,
    `tls-key-file "${own.key}"`,
    `tls-ca-cert-file "${files.ca}"`,
    `tls-auth-clients ${spec.tls.authClients}`,
    'tls-replication yes',
    ...(spec.mode === 'cluster' && proc.kind === 'redis' ? ['tls-cluster yes'] : []),
  ];
}

function header(proc: PlannedProcess, spec: LocalSpec): string[] {
  return [
    `# ${proc.name}: rendered by quorum for the deployment '${spec.name}'.`,
    '# Redis and Sentinel rewrite this file (CONFIG REWRITE) when roles change; that is expected.',
  ];
}

/** users.acl of a data node (`up --acl`): every user of the table with its password (pure). */
export function renderNodeAcl(acl: AclSpec): string {
  const users = NODE_ACL_USERS.map((u) => aclUserLine(u, acl.passwords[u], ACL_RULES[u].node));
  return ['user default off', ...users].join('\n') + '\n';
}

/** The users a sentinel has of its own: quorum, its peers, and applications. */
function sentinelAclLines(acl: AclSpec): string[] {
  return [
    'user default off',
    ...NODE_ACL_USERS.flatMap((u) => {
      const rules = ACL_RULES[u].sentinel;
      return rules === null ? [] : [aclUserLine(u, acl.passwords[u], rules)];
    }),
  ];
}

/** The process title names the config file, so `pgrep -fa <dir>` finds a deployment's processes. */
const TITLE = ['proc-title-template "{title} {listen-addr} {server-mode} {config-file}"'];

/** redis.conf for one data node (pure). Replicas start as replicas of the first node. */
export function renderRedisConf(spec: LocalSpec, proc: PlannedProcess, dir: string): string {
  const lines = [
    ...header(proc, spec),
    `bind ${proc.host}`,
    ...listenLines(spec, proc, dir),
    'daemonize no',
    `dir "${dir}"`,
    'logfile "redis.log"',
    ...TITLE,
    'dbfilename "dump.rdb"',
    '# replicas answer reads while syncing, as in a default install',
    'replica-serve-stale-data yes',
    'replica-read-only yes',
    'repl-diskless-sync yes',
    'repl-diskless-sync-delay 0',
    'save 3600 1 300 100 60 10000',
    spec.preset === 'safe' ? 'appendonly yes' : 'appendonly no',
    '# DEBUG SLEEP is one of the faults quorum injects; Redis 7 allows DEBUG only when enabled',
    'enable-debug-command local',
  ];
  if (spec.preset === 'safe') {
    lines.push(
      '# preset safe: a master that cannot reach a replica for 10 s stops accepting writes,',
      '# which bounds what an isolated master can lose (Redis docs: replication, min-replicas)',
      'min-replicas-to-write 1',
      'min-replicas-max-lag 10',
      '# preset safe: AOF (on above) fsynced every second, on top of RDB snapshots',
      'appendfsync everysec',
      '# preset safe: on SIGTERM a master waits up to 10 s for its replicas to catch up',
      'shutdown-timeout 10',
    );
  }
  if (spec.acl) {
    lines.push(
      '# ACL users (quorum up --acl) in users.acl beside this file; the default user is off',
      `aclfile "${join(dir, 'users.acl')}"`,
      '# replicas log in to their master as the replica user (+psync +replconf +ping)',
      'masteruser replica',
      `masterauth "${spec.acl.passwords.replica}"`,
    );
  } else if (spec.password !== null) {
    lines.push(`requirepass "${spec.password}"`, `masterauth "${spec.password}"`);
  }
  if (spec.mode === 'cluster') {
    lines.push(
      '# Redis Cluster: the node keeps its id, peers and epochs in nodes.conf (Redis writes it);',
      '# quorum joins the nodes and assigns slots and replicas once, at the first start',
      'cluster-enabled yes',
      'cluster-config-file nodes.conf',
      `cluster-node-timeout ${spec.nodeTimeoutMs}`,
      '# a shard without a master stops the whole cluster, as Redis does by default',
      'cluster-require-full-coverage yes',
    );
  } else if (proc.initialRole === 'replica') {
    const master = firstMasterAddr(spec);
    lines.push(`replicaof ${master.host} ${master.port}`);
  }
  lines.push(...labLines(spec, proc));
  return lines.join('\n') + '\n';
}

/** sentinel.conf for one sentinel (pure). Sentinel rewrites it, so it must stay writable. */
export function renderSentinelConf(spec: SentinelSpec, proc: PlannedProcess, dir: string): string {
  const lines = [
    ...header(proc, spec),
    `bind ${proc.host}`,
    ...listenLines(spec, proc, dir),
    'daemonize no',
    `dir "${dir}"`,
    'logfile "sentinel.log"',
    ...TITLE,
    `sentinel monitor ${spec.name} ${firstMasterAddr(spec).host} ${spec.port} ${spec.quorum}`,
    `sentinel down-after-milliseconds ${spec.name} ${spec.downAfterMs}`,
    `sentinel failover-timeout ${spec.name} ${spec.failoverTimeoutMs}`,
    `sentinel parallel-syncs ${spec.name} 1`,
  ];
  if (spec.acl) {
    const { passwords } = spec.acl;
    lines.push(
      "# ACL (quorum up --acl): the sentinels use the nodes' sentinel user, and log in to each",
      '# other as the sentinel user of their own ACL; the default user is off',
      `sentinel auth-user ${spec.name} sentinel`,
      `sentinel auth-pass ${spec.name} "${passwords.sentinel}"`,
      'sentinel sentinel-user sentinel',
      `sentinel sentinel-pass "${passwords.sentinel}"`,
      ...sentinelAclLines(spec.acl),
    );
  } else if (spec.password !== null) {
    lines.push(
      `sentinel auth-pass ${spec.name} "${spec.password}"`,
      `requirepass "${spec.password}"`,
      '# sentinels authenticate to each other with the same password',
      `sentinel sentinel-pass "${spec.password}"`,
    );
  }
  lines.push(...labLines(spec, proc));
  return lines.join('\n') + '\n';
}

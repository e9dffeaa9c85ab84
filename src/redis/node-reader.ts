import type { Addr, DataNode } from '../model/index.js';
import { downNode, formatAddr } from '../model/index.js';
import { flattenInfo, infoNumber, infoReplicas, parseInfo, parseInfoFields } from './info.js';
import type { RedisLink } from './link.js';
import { describeRedisError } from './errors.js';

/** The Keyspace section's `db0:keys=1,expires=0,avg_ttl=0` lines as numbers per database. */
function keyspaceOf(
  section: Record<string, string>,
): Record<string, { keys: number; expires: number }> {
  const keyspace: Record<string, { keys: number; expires: number }> = {};
  for (const [key, value] of Object.entries(section)) {
    if (!/^db\d+$/.test(key)) continue;
    const fields = parseInfoFields(value);
    const keys = Number(fields.keys);
    const expires = Number(fields.expires ?? 0);
    if (Number.isFinite(keys))
      keyspace[key] = { keys, expires: Number.isFinite(expires) ? expires : 0 };
  }
  return keyspace;
}

/** Builds a data node from its INFO text (pure). Lag is filled in later, against its master. */
function nonNegative(value: number | null): number | null {
  return value !== null && value >= 0 ? value : null;
}

export function nodeFromInfo(addr: Addr, infoText: string, nowMs: number): DataNode {
  const sections = parseInfo(infoText);
  const info = flattenInfo(sections);
  const node = downNode(addr, '');
  const role = info.role === 'master' ? 'master' : info.role === 'slave' ? 'replica' : 'unknown';
  const masterPort = infoNumber(info, 'master_port');
  node.up = true;
  node.downReason = null;
  node.role = role;
  node.replication = {
    masterAddr:
      role === 'replica' && info.master_host && masterPort !== null
        ? formatAddr(info.master_host, masterPort)
        : null,
    linkUp: role === 'replica' ? info.master_link_status === 'up' : null,
    offset:
      role === 'replica'
        ? infoNumber(info, 'slave_repl_offset')
        : infoNumber(info, 'master_repl_offset'),
    lagBytes: null,
    // -1 while the link is down: no reply yet, not a lag
    lagSeconds:
      role === 'replica' ? nonNegative(infoNumber(info, 'master_last_io_seconds_ago')) : null,
    connectedReplicas: infoNumber(info, 'connected_slaves'),
    syncInProgress: info.master_sync_in_progress === '1',
  };
  node.memoryUsedBytes = infoNumber(info, 'used_memory');
  node.memoryMaxBytes = infoNumber(info, 'maxmemory');
  node.connectedClients = infoNumber(info, 'connected_clients');
  node.opsPerSec = infoNumber(info, 'instantaneous_ops_per_sec');
  node.uptimeSeconds = infoNumber(info, 'uptime_in_seconds');
  node.version = info.redis_version ?? null;
  node.runId = info.run_id ?? null;
  node.loading = info.loading === '1';
  node.lastSeenMs = nowMs;
  node.stats = {
    mode: info.redis_mode ?? null,
    commandsProcessed: infoNumber(info, 'total_commands_processed'),
    connectionsReceived: infoNumber(info, 'total_connections_received'),
    rejectedConnections: infoNumber(info, 'rejected_connections'),
    keyspaceHits: infoNumber(info, 'keyspace_hits'),
    keyspaceMisses: infoNumber(info, 'keyspace_misses'),
    expiredKeys: infoNumber(info, 'expired_keys'),
    evictedKeys: infoNumber(info, 'evicted_keys'),
    blockedClients: infoNumber(info, 'blocked_clients'),
    keyspace: keyspaceOf(sections.keyspace ?? {}),
  };
  return node;
}

/**
 * Fills in each replica's lag against the master it follows: bytes from the offsets, seconds from
 * the master's `lag=` (time since the replica's last ACK) when the master lists it.
 */
export function computeLag(nodes: DataNode[], masterInfos: Map<Addr, string>): void {
  const byAddr = new Map(nodes.map((n) => [n.addr, n]));
  for (const node of nodes) {
    if (node.role !== 'replica' || !node.replication.masterAddr) continue;
    const master = byAddr.get(node.replication.masterAddr);
    if (master?.up && master.replication.offset !== null && node.replication.offset !== null) {
      node.replication.lagBytes = Math.max(0, master.replication.offset - node.replication.offset);
    }
    const masterInfo = masterInfos.get(node.replication.masterAddr);
    if (masterInfo) {
      const listed = infoReplicas(flattenInfo(parseInfo(masterInfo))).find(
        (r) => formatAddr(r.ip, r.port) === node.addr,
      );
      if (listed?.lag !== null && listed?.lag !== undefined)
        node.replication.lagSeconds = listed.lag;
    }
  }
}

/** Reads one data node; an unreachable or failing node comes back down with the reason. */
export async function readDataNode(
  link: RedisLink,
): Promise<{ node: DataNode; info: string | null }> {
  try {
    const reply = await link.call('INFO');
    if (typeof reply !== 'string')
      return {
        node: downNode(link.addr, `${link.addr} answered INFO with something other than text`),
        info: null,
      };
    return { node: nodeFromInfo(link.addr, reply, Date.now()), info: reply };
  } catch (err) {
    return { node: downNode(link.addr, describeRedisError(link.addr, err).message), info: null };
  }
}

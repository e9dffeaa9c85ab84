import { Redis } from 'ioredis';
import type { Addr, ClusterView } from '../model/index.js';
import { parseAddr, UserError } from '../model/index.js';
import type { Access } from '../redis/index.js';
import {
  accessOptions,
  describeRedisError,
  HeardConnector,
  RedisLink,
  readClusterNode,
} from '../redis/index.js';

/** Time for one cluster command; MIGRATE gets its own, longer timeout. */
export const CLUSTER_CALL_TIMEOUT_MS = 5000;
/** MIGRATE's own timeout: how long the source may wait on the target for one batch of keys. */
export const MIGRATE_TIMEOUT_MS = 10_000;

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Connections to the nodes of one cluster for administration: one link per address, opened on
 * first use and closed together. Every call has a timeout (RedisLink).
 */
export class ClusterLinks {
  private readonly links = new Map<Addr, RedisLink>();
  private readonly keyClients = new Map<Addr, Redis>();

  constructor(
    readonly access: Access,
    private readonly timeoutMs = CLUSTER_CALL_TIMEOUT_MS,
  ) {}

  link(addr: Addr): RedisLink {
    let link = this.links.get(addr);
    if (!link) {
      link = new RedisLink(addr, {
        timeoutMs: this.timeoutMs,
        access: this.access,
        connectionName: 'quorum-cluster-admin',
      });
      this.links.set(addr, link);
    }
    return link;
  }

  call(addr: Addr, command: string, ...args: (string | number)[]): Promise<unknown> {
    return this.link(addr).call(command, ...args);
  }

  /**
   * A call about keys, in bytes both ways (keys need not be UTF-8), that may outlast the usual
   * timeout (MIGRATE waits on another node): its own connection, allowed MIGRATE_TIMEOUT_MS more.
   */
  async keysCall(
    addr: Addr,
    command: string,
    ...args: (string | number | Buffer)[]
  ): Promise<unknown> {
    const client = this.keyClients.get(addr) ?? this.keyClient(addr);
    try {
      return await client.callBuffer(command, ...args);
    } catch (err) {
      throw describeRedisError(addr, err, { access: this.access, connected: true });
    }
  }

  private keyClient(addr: Addr): Redis {
    const hp = parseAddr(addr);
    if (!hp) throw new UserError(`${addr} is not a host:port address`, 2);
    const client = new Redis({
      host: hp.host,
      port: hp.port,
      ...accessOptions(this.access),
      connectionName: 'quorum-cluster-admin',
      Connector: HeardConnector,
      connectTimeout: this.timeoutMs,
      commandTimeout: this.timeoutMs + MIGRATE_TIMEOUT_MS,
      maxRetriesPerRequest: 1,
      // a node that is gone fails the call after a few quick attempts instead of queueing it
      retryStrategy: (attempt: number) => (attempt > 3 ? null : 100 * attempt),
    });
    client.on('error', () => undefined);
    // past its last reconnect attempt ioredis ends the client for good: the next call opens anew
    client.once('end', () => {
      if (this.keyClients.get(addr) === client) this.keyClients.delete(addr);
    });
    this.keyClients.set(addr, client);
    return client;
  }

  /**
   * Every node's own view, starting from the seeds and following CLUSTER NODES. Nodes flagged
   * `fail` are read too (a down view when they do not answer): whoever acts on the cluster must
   * know who is missing. Only nodes still in handshake are left out.
   */
  async views(seeds: Addr[]): Promise<ClusterView[]> {
    const seen = new Map<Addr, ClusterView>();
    let next = [...new Set(seeds)];
    while (next.length > 0) {
      const readings = await Promise.all(next.map((addr) => readClusterNode(this.link(addr))));
      for (const r of readings) seen.set(r.view.addr, r.view);
      next = [
        ...new Set(
          readings.flatMap((r) =>
            r.view.entries
              .filter((e) => e.addr && !e.flags.includes('handshake'))
              .map((e) => e.addr ?? ''),
          ),
        ),
      ].filter((a) => a !== '' && !seen.has(a));
    }
    return [...seen.values()].sort((a, b) => a.addr.localeCompare(b.addr, 'en', { numeric: true }));
  }

  async close(): Promise<void> {
    await Promise.all([...this.links.values()].map((l) => l.close()));
    for (const client of this.keyClients.values()) client.disconnect();
    this.links.clear();
    this.keyClients.clear();
  }
}

import type { Redis } from 'ioredis';
import type { Addr } from '../model/index.js';
import { assertNever, UserError } from '../model/index.js';
import {
  closedUnder,
  directClient,
  outcomeOf,
  peerOf,
  plainClient,
  sentinelClient,
} from './clients.js';
import { RoleCheckRouter } from './role-check.js';
import type { Attempt } from './writers.js';
import { Writers } from './writers.js';
import type { Access } from '../redis/index.js';

/**
 * How the writers find the master. `sentinel`: ask the sentinels, as Sentinel-aware client
 * libraries do (ioredis). `role-check`: send writes to whichever node passes a `role:master`
 * health check, as HAProxy in front of Sentinel does. `proxy`: plain clients of quorum's proxy
 * (its write port for writes, its read port for reads).
 */
export type Via = 'sentinel' | 'role-check' | 'proxy';
export const VIAS: readonly Via[] = ['sentinel', 'role-check', 'proxy'];

export interface WorkloadOptions {
  sentinels: Addr[];
  masterName: string;
  access: Access;
  sentinelAccess: Access;
  /** Concurrent writers, each with its own connection. @default 4 */
  writers: number;
  /** Writes per second, all writers together. @default 1000 */
  rate: number;
  /** Readers (from replicas), each with its own connection. @default 1 */
  readers: number;
  /** A write or read with no answer within this long counts as indeterminate. @default 1000 */
  timeoutMs: number;
  /** The set all values go into: `drill:<run id>`. */
  key: string;
  /** How writers find the master. @default 'sentinel' */
  via: Via;
  /** The data nodes, for `via: 'role-check'`. */
  nodes: Addr[];
  /** quorum's proxy, for `via: 'proxy'`. */
  proxy: { write: Addr; read: Addr } | null;
}

export const DEFAULT_WORKLOAD = { writers: 4, rate: 1000, readers: 1, timeoutMs: 1000 } as const;

/** How long a role-check writer keeps one connection before it connects through the balancer again. */
const CONNECTION_LIFETIME_MS = 1000;

/** What every Sentinel-side workload does: readers of replicas, one set of values. */
abstract class SetWriters extends Writers {
  protected readonly clients: Redis[] = [];

  constructor(protected readonly options: WorkloadOptions) {
    super();
  }

  /** ms between two writes of one writer. */
  protected get interval(): number {
    return (1000 * this.options.writers) / this.options.rate;
  }

  protected send(client: Redis, value: string): Promise<Attempt> {
    return Writers.attempt(
      client.sadd(this.options.key, value),
      this.options.timeoutMs,
      outcomeOf,
      closedUnder(client),
    );
  }

  /** A writer that keeps one client, which finds the master by itself. */
  protected steadyWriter(writer: number, client: Redis): void {
    this.clients.push(client);
    this.writer(writer, this.interval, async (value) => {
      const before = peerOf(client);
      const sent = await this.send(client, value);
      // a write queued while the client reconnects is answered by the node it reached after
      const node = peerOf(client) ?? before;
      return { ...sent, key: this.options.key, ...(node ? { node } : {}) };
    });
  }

  /** Readers from replicas, found through the sentinels (`readerClient` overrides). */
  protected startReaders(): void {
    for (let i = 0; i < this.options.readers; i++) {
      const client = this.readerClient();
      client.on('error', () => undefined);
      this.clients.push(client);
      this.reader(Math.max(this.interval, 5), this.options.timeoutMs, () =>
        client.scard(this.options.key),
      );
    }
  }

  protected readerClient(): Redis {
    return sentinelClient(this.options, 'slave');
  }

  protected close(): Promise<void> {
    for (const client of this.clients) client.disconnect();
    return Promise.resolve();
  }
}

/**
 * Writers that find the master by asking the sentinels, as Sentinel-aware client libraries do
 * (ioredis). Writes are sequential per writer, as in an application: a writer waiting on a dead
 * master sends nothing else meanwhile.
 */
class SentinelWriters extends SetWriters {
  protected open(): Promise<void> {
    for (let i = 0; i < this.options.writers; i++) {
      const client = sentinelClient(this.options, 'master');
      client.on('error', () => undefined);
      this.steadyWriter(i, client);
    }
    this.startReaders();
    return Promise.resolve();
  }
}

/** Plain clients of quorum's proxy: its write port for writes, its read port for reads. */
class ProxyWriters extends SetWriters {
  protected open(): Promise<void> {
    const proxy = this.options.proxy;
    if (!proxy) throw new UserError('this deployment runs no proxy to write through');
    for (let i = 0; i < this.options.writers; i++)
      this.steadyWriter(i, plainClient(proxy.write, this.options));
    this.startReaders();
    return Promise.resolve();
  }

  protected override readerClient(): Redis {
    const proxy = this.options.proxy;
    return proxy ? plainClient(proxy.read, this.options) : super.readerClient();
  }
}

/**
 * Writers behind a role-check load balancer, with short-lived connections as request-scoped
 * clients have (PHP, serverless, pools with a max lifetime): each connects through the balancer,
 * keeps the connection for up to CONNECTION_LIFETIME_MS while writes succeed, and connects again
 * after an error or a timeout. With no server up, the balancer refuses: the write fails, unsent.
 */
class RoleCheckWriters extends SetWriters {
  private router: RoleCheckRouter | null = null;
  private readonly held: (Redis | null)[] = [];

  protected async open(): Promise<void> {
    const { nodes, access, timeoutMs } = this.options;
    const router = new RoleCheckRouter(nodes, access, timeoutMs);
    this.router = router;
    await router.start();
    for (let i = 0; i < this.options.writers; i++) this.routedWriter(router, i);
    this.startReaders();
  }

  private routedWriter(router: RoleCheckRouter, writer: number): void {
    const slot = this.held.push(null) - 1;
    let connectedAt = 0;
    this.writer(writer, this.interval, async (value) => {
      let client = this.held[slot] ?? null;
      if (client && Date.now() - connectedAt > CONNECTION_LIFETIME_MS) {
        client.disconnect();
        client = null;
      }
      if (!client) {
        const addr = router.pick();
        client = addr === null ? null : await directClient(addr, this.options);
        connectedAt = Date.now();
      }
      const node = client ? peerOf(client) : null;
      // a write that timed out loses its connection here, so no late reply can come
      const sent: Attempt = client ? await this.send(client, value) : { outcome: 'fail' };
      if (sent.outcome !== 'ack' && client) {
        client.disconnect();
        client = null;
      }
      this.held[slot] = client;
      return { ...sent, key: this.options.key, ...(node ? { node } : {}) };
    });
  }

  protected override async close(): Promise<void> {
    for (const client of this.held) client?.disconnect();
    await super.close();
    await this.router?.stop();
  }
}

/** The writers for a Sentinel deployment, by how they find the master. */
export function sentinelWriters(options: WorkloadOptions): Writers {
  switch (options.via) {
    case 'sentinel':
      return new SentinelWriters(options);
    case 'role-check':
      return new RoleCheckWriters(options);
    case 'proxy':
      return new ProxyWriters(options);
    default:
      return assertNever(options.via);
  }
}

import type { Access } from '../redis/index.js';
import type { ClusterOptions } from 'ioredis';
import { accessOptions } from '../redis/index.js';
import { Cluster } from 'ioredis';
import type { Addr } from '../model/index.js';
import { keySlot, parseAddr, UserError } from '../model/index.js';
import type { WriteOutcome } from './ledger.js';
import { CLUSTER_CLIENT_OPTIONS, outcomeOf } from './clients.js';
import { TIMEOUT, within, Writers } from './writers.js';

/** One set the writers add values to, with its slot and the master that owned it at the start. */
export interface Bucket {
  key: string;
  slot: number;
  /** The shard it belongs to, named by its master when the drill started. */
  shard: Addr;
}

export interface ClusterWorkloadOptions {
  /** Any cluster nodes; the client learns the rest from CLUSTER SLOTS. */
  seeds: Addr[];
  access: Access;
  /** Writers per shard, each with its own sequence of writes to that shard's buckets. @default 4 */
  writers: number;
  /** Writes per second, all writers of all shards together. @default 1000 */
  rate: number;
  /** Readers (from replicas). @default 1 */
  readers: number;
  /** A write or read with no answer within this long counts as indeterminate. @default 1000 */
  timeoutMs: number;
  buckets: Bucket[];
}

/** How many sets a cluster drill writes to: enough that every shard, and most slot ranges, get some. */
export const BUCKET_COUNT = 4096;

/** `count` keys named after the run, hashed over the slots, each with its shard at the start (pure). */
export function drillBuckets(
  prefix: string,
  count: number,
  shardOf: (slot: number) => Addr | null,
): Bucket[] {
  const buckets: Bucket[] = [];
  for (let i = 0; i < count; i++) {
    const key = `${prefix}:${String(i)}`;
    const slot = keySlot(key);
    const shard = shardOf(slot);
    if (shard !== null) buckets.push({ key, slot, shard });
  }
  return buckets;
}

/**
 * The drill's cluster client. MOVED and ASK are followed, as every cluster client does; a dropped
 * connection is retried every 100 ms with the slot map refreshed meanwhile, until the write's own
 * timeout. CLUSTERDOWN is not retried: the writer is told at once, so a cluster that stopped
 * serving is measured rather than hidden in retries.
 */
const DRILL_CLUSTER_OPTIONS = {
  maxRedirections: 16,
  retryDelayOnFailover: 100,
  retryDelayOnClusterDown: 0,
  retryDelayOnTryAgain: 100,
  retryDelayOnMoved: 0,
  slotsRefreshInterval: 1000,
} as const satisfies ClusterOptions;

/** A cluster client of the drill's (reads scaled to replicas when asked). */
function clusterClient(
  seeds: Addr[],
  access: Access,
  timeoutMs: number,
  options: ClusterOptions = {},
): Cluster {
  const nodes = seeds.flatMap((addr) => {
    const hp = parseAddr(addr);
    return hp ? [{ host: hp.host, port: hp.port }] : [];
  });
  const client = new Cluster(nodes, {
    ...DRILL_CLUSTER_OPTIONS,
    slotsRefreshTimeout: timeoutMs,
    ...options,
    redisOptions: {
      ...accessOptions(access),
      connectTimeout: timeoutMs,
      enableReadyCheck: false,
      ...CLUSTER_CLIENT_OPTIONS,
    },
  });
  client.on('error', () => undefined);
  client.on('node error', () => undefined);
  return client;
}

/**
 * Classifies a failed cluster write: a refusal (CLUSTERDOWN, NOREPLICAS, a redirection error) or
 * a write never sent was not applied; redirections given up after a connection broke, or a lost
 * connection, may have been.
 */
export function clusterOutcomeOf(err: unknown): WriteOutcome {
  if (err instanceof Error && /^Cluster isn't ready/.test(err.message)) return 'fail';
  return outcomeOf(err);
}

/** How long the writers' client may take to connect before the drill gives up. */
const CONNECT_TIMEOUT_MS = 10_000;
/** How long reading one key back may take. */
const READ_BACK_TIMEOUT_MS = 10_000;
/** How long deleting the drill's keys may take in all. */
const DROP_TIMEOUT_MS = 10_000;

/**
 * Writers that add unique values to sets spread over every shard through one cluster client (as
 * an application has one), and readers from replicas; every outcome goes in the ledger. Each
 * writer keeps to one shard's keys and writes one at a time, so a writer stuck on a dead shard
 * does not hold up the others, and each shard's availability is measured on its own.
 */
export class ClusterWriters extends Writers {
  private readonly clients: Cluster[] = [];

  constructor(private readonly options: ClusterWorkloadOptions) {
    super();
  }

  /** The buckets of each shard, in key order. */
  private byShard(): Bucket[][] {
    const groups = new Map<Addr, Bucket[]>();
    for (const b of this.options.buckets) groups.set(b.shard, [...(groups.get(b.shard) ?? []), b]);
    return [...groups.values()];
  }

  protected async open(): Promise<void> {
    const { seeds, access, timeoutMs, writers, readers, rate, buckets } = this.options;
    const writerClient = clusterClient(seeds, access, timeoutMs);
    this.clients.push(writerClient);
    const ready = await within(
      new Promise((resolve, reject) => {
        writerClient.once('ready', resolve);
        writerClient.once('end', () =>
          reject(
            new UserError(
              `the drill's cluster client could not connect to ${seeds.join(', ')}, so there is nothing to measure; check that the cluster answers with quorum cluster check`,
            ),
          ),
        );
      }),
      CONNECT_TIMEOUT_MS,
    );
    if (ready === TIMEOUT)
      throw new UserError(
        `the drill's cluster client did not connect to ${seeds.join(', ')} within ${CONNECT_TIMEOUT_MS / 1000} s, so there is nothing to measure; check that the cluster answers with quorum cluster check`,
      );
    const shards = this.byShard();
    const interval = (1000 * shards.length * writers) / rate;
    let writer = 0;
    for (const shardBuckets of shards) {
      for (let i = 0; i < writers; i++)
        this.shardWriter(writerClient, writer++, shardBuckets, i, interval);
    }
    if (readers > 0 && buckets.length > 0) {
      const readerClient = clusterClient(seeds, access, timeoutMs, { scaleReads: 'slave' });
      this.clients.push(readerClient);
      for (let i = 0; i < readers; i++) {
        let n = 0;
        this.reader(Math.max((1000 * readers) / rate, 5), timeoutMs, () => {
          const bucket = buckets[n++ % buckets.length];
          return readerClient.scard(bucket?.key ?? '');
        });
      }
    }
  }

  /** A writer that keeps to one shard's keys, one write at a time. */
  private shardWriter(
    client: Cluster,
    writer: number,
    buckets: Bucket[],
    offset: number,
    interval: number,
  ): void {
    this.writer(writer, interval, async (value, seq) => {
      const bucket = buckets[(offset + seq) % buckets.length];
      if (!bucket) return null;
      const sent = await Writers.attempt(
        client.sadd(bucket.key, value),
        this.options.timeoutMs,
        clusterOutcomeOf,
      );
      // the node the client's slot map names once the write is answered (after any MOVED)
      const node = client.slots[bucket.slot]?.[0];
      return { ...sent, slot: bucket.slot, key: bucket.key, ...(node ? { node } : {}) };
    });
  }

  protected close(): Promise<void> {
    for (const client of this.clients) client.disconnect();
    return Promise.resolve();
  }
}

/** A cluster client for reading the values back once the cluster is healthy again. */
export function readBackClient(seeds: Addr[], access: Access): Cluster {
  return clusterClient(seeds, access, 5000, { retryDelayOnClusterDown: 200 });
}

/**
 * Every member of every key, read through the cluster (so from whatever masters own the slots
 * now); throws when a key cannot be read, since the check would be wrong.
 */
export async function readSets(client: Cluster, keys: string[]): Promise<Set<string>> {
  const present = new Set<string>();
  for (let i = 0; i < keys.length; i += 64) {
    const replies = await Promise.all(
      keys.slice(i, i + 64).map(async (key) => {
        const members = await within(client.smembers(key), READ_BACK_TIMEOUT_MS);
        if (members === TIMEOUT)
          throw new UserError(
            `reading ${key} back took over ${READ_BACK_TIMEOUT_MS / 1000} s, so the drill cannot tell which writes survived; check the cluster with quorum cluster check and run the drill again`,
          );
        return members;
      }),
    );
    for (const members of replies) for (const m of members) present.add(m);
  }
  return present;
}

/**
 * Deletes the drill's keys, for at most `timeoutMs` (best effort: a key left behind is only test
 * data, and a cluster that stopped answering must not hold the drill up).
 */
export async function dropKeys(
  client: Cluster,
  keys: string[],
  timeoutMs = DROP_TIMEOUT_MS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < keys.length; i += 64) {
    const left = deadline - Date.now();
    if (left <= 0) return;
    const batch = Promise.all(keys.slice(i, i + 64).map((key) => client.del(key).catch(() => 0)));
    if ((await within(batch, left)) === TIMEOUT) return;
  }
}

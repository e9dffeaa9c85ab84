import type { Access } from '../redis/index.js';
import type { Addr, ClusterState } from '../model/index.js';
import { RedisLink } from '../redis/index.js';
import { slotMasters } from './cluster-checker.js';
import type { Bucket } from './cluster-workload.js';
import { waitFor } from './timing.js';

/** Some CONFIG values of one node; a refused CONFIG (renamed, ACL) leaves them out. */
export async function configOf(
  addr: Addr,
  access: Access,
  names: string[],
): Promise<Record<string, string>> {
  const link = new RedisLink(addr, { timeoutMs: 3000, access, connectionName: 'quorum-drill' });
  const values: Record<string, string> = {};
  try {
    for (const name of names) {
      const reply = await link.call('CONFIG', 'GET', name).catch(() => null);
      if (Array.isArray(reply) && typeof reply[1] === 'string') values[name] = reply[1];
    }
    return values;
  } finally {
    await link.close();
  }
}

/** A yes/no CONFIG value; null when it was refused. */
export function flag(value: string | undefined): boolean | null {
  return value === undefined ? null : value === 'yes';
}

/** The masters that own slots: the seeds of a cluster client. */
export function masters(cluster: ClusterState): Addr[] {
  return cluster.shards.flatMap((s) => (s.master && s.slotCount > 0 ? [s.master] : []));
}

/** Whether every replica holds as many of the drill's values as its master (waits up to 10 s). */
export async function replicasConverged(
  cluster: ClusterState,
  buckets: Bucket[],
  access: Access,
  signal: AbortSignal,
): Promise<boolean> {
  const owners = slotMasters(cluster);
  const link = (addr: Addr) =>
    new RedisLink(addr, { timeoutMs: 5000, access, connectionName: 'quorum-drill' });
  const count = async (l: RedisLink, keys: string[], replica: boolean): Promise<number> => {
    // a replica answers reads for its master's slots only after READONLY (else MOVED)
    if (replica) await l.call('READONLY');
    const sizes = await Promise.all(keys.map((k) => l.call('SCARD', k)));
    return sizes.reduce<number>((sum, n) => sum + (typeof n === 'number' ? n : 0), 0);
  };
  for (const shard of cluster.shards) {
    if (!shard.master) continue;
    const keys = buckets.filter((b) => owners[b.slot] === shard.master).map((b) => b.key);
    if (keys.length === 0) continue;
    const m = link(shard.master);
    try {
      const want = await count(m, keys, false);
      for (const r of shard.replicas) {
        if (!r.addr || r.failed) continue;
        const l = link(r.addr);
        try {
          const ok = await waitFor(10_000, signal, async () =>
            (await count(l, keys, true).catch(() => -1)) === want ? true : undefined,
          );
          if (!ok) return false;
        } finally {
          await l.close();
        }
      }
    } finally {
      await m.close();
    }
  }
  return true;
}

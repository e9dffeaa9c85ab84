import type { Addr, SlotRange } from '../model/index.js';
import { formatRanges, parseAddr, UserError } from '../model/index.js';
import type { Access } from '../redis/index.js';
import { describeRedisError } from '../redis/index.js';
import { ClusterLinks, sleep } from './links.js';

/** SET-CONFIG-EPOCH refusing a node that has an epoch already, or knows other nodes. */
const EPOCH_TAKEN = /config epoch is already non-zero|does not know any other node/i;

export interface ClusterLayout {
  /** Each master with the slots it starts with. */
  masters: { addr: Addr; slots: SlotRange[] }[];
  /** Each replica with the master it follows. */
  replicas: { addr: Addr; of: Addr }[];
}

export interface CreateOptions {
  access: Access;
  progress: (line: string) => void;
  /** @default 30000 */
  timeoutMs?: number;
}

/**
 * Joins empty cluster-enabled nodes into one cluster, as `redis-cli --cluster create` does:
 * distinct config epochs, slots to each master (CLUSTER ADDSLOTSRANGE), CLUSTER MEET from the
 * first node to every other, then CLUSTER REPLICATE once every node knows every other one.
 * Refuses nodes that already hold slots or know other nodes (they belong to a cluster).
 */
export async function createCluster(layout: ClusterLayout, options: CreateOptions): Promise<void> {
  const links = new ClusterLinks(options.access);
  const all = [...layout.masters.map((m) => m.addr), ...layout.replicas.map((r) => r.addr)];
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  try {
    const views = await links.views(all);
    for (const addr of all) {
      const view = views.find((v) => v.addr === addr);
      if (!view?.up) throw new UserError(view?.downReason ?? `${addr} does not answer`);
      if ((view.knownNodes ?? 1) > 1 || (view.slotsAssigned ?? 0) > 0)
        throw new UserError(
          `${addr} already belongs to a cluster (it knows ${view.knownNodes ?? '?'} nodes and ${view.slotsAssigned ?? '?'} slots); use an empty node or run CLUSTER RESET on it first`,
        );
    }
    options.progress(
      `assigning slots: ${layout.masters.map((m) => `${m.addr} ${formatRanges(m.slots)}`).join(', ')}`,
    );
    for (const [i, m] of layout.masters.entries()) {
      await links.call(m.addr, 'CLUSTER', 'SET-CONFIG-EPOCH', i + 1).catch((err: unknown) => {
        // a node that kept its epoch (CLUSTER RESET SOFT) has one; Redis settles equal epochs itself
        if (!EPOCH_TAKEN.test(describeRedisError(m.addr, err).message)) throw err;
      });
      for (const [a, b] of m.slots) await links.call(m.addr, 'CLUSTER', 'ADDSLOTSRANGE', a, b);
    }
    const [first, ...rest] = all;
    if (!first) throw new UserError('a cluster needs at least one node');
    options.progress(`joining ${all.length} nodes (CLUSTER MEET)`);
    for (const addr of rest) {
      const hp = parseAddr(addr);
      if (!hp) throw new UserError(`${addr} is not a host:port address`);
      await links.call(first, 'CLUSTER', 'MEET', hp.host, hp.port);
    }
    await waitUntil(deadline, 'every node to know every other node', async () => {
      const views = await links.views(all);
      return views.every(
        (v) =>
          v.up &&
          v.entries.length === all.length &&
          v.entries.every((e) => !e.flags.includes('handshake') && e.addr !== null),
      );
    });
    if (layout.replicas.length > 0)
      options.progress(`attaching ${layout.replicas.length} replicas`);
    const ids = new Map<Addr, string>();
    for (const v of await links.views(all)) if (v.myId) ids.set(v.addr, v.myId);
    for (const r of layout.replicas) {
      const masterId = ids.get(r.of);
      if (!masterId) throw new UserError(`${r.of} has no cluster id; is it cluster-enabled?`);
      await waitUntil(deadline, `${r.addr} to accept CLUSTER REPLICATE`, async () => {
        try {
          await links.call(r.addr, 'CLUSTER', 'REPLICATE', masterId);
          return true;
        } catch (err) {
          // the replica may not know the master yet ("Unknown node"): gossip is still spreading
          if (/unknown node/i.test(describeRedisError(r.addr, err).message)) return false;
          throw err;
        }
      });
    }
  } finally {
    await links.close();
  }
}

/** Polls `check` every 200 ms until it says true; past `deadline` it fails naming `what`. */
export async function waitUntil(
  deadline: number,
  what: string,
  check: () => Promise<boolean>,
): Promise<void> {
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new UserError(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

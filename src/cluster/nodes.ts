import type { Addr, ClusterState } from '../model/index.js';
import { formatAddr, formatRanges, parseAddr, UserError } from '../model/index.js';
import { describeRedisError, readClusterNode } from '../redis/index.js';
import { waitUntil } from './create.js';
import type { ClusterLinks } from './links.js';
import { readCluster } from './members.js';
import { masterNamed } from './reshard.js';
import { resolveClusterNode } from './resolve.js';

/** How long add-node waits for gossip to tell every node about the new one. */
const ADD_NODE_TIMEOUT_MS = 30_000;

/** How a node is named in a sentence: its process name when it has one, else its address. */
function label(addr: Addr, names: Map<string, Addr> | undefined): string {
  for (const [name, a] of names ?? []) if (a === addr) return name;
  return addr;
}

/** The masters with slots that could adopt the replicas of a removed node, with their counts. */
function mastersByReplicas(state: ClusterState, except: string) {
  return state.shards
    .filter((s) => s.masterId !== except && s.master !== null && s.slotCount > 0)
    .map((s) => ({ id: s.masterId, replicas: s.replicas.length }));
}

/**
 * Joins an empty, cluster-enabled node, as `redis-cli --cluster add-node` does: refuses a node
 * that knows other nodes, owns slots or holds keys; CLUSTER MEET from a member (so the new node
 * learns its own address from the MEET); waits until every member knows it and it knows every
 * member; then CLUSTER REPLICATE when `replicaOf` names a master (and waits until every node sees
 * it so), or else until the new master says cluster_state:ok, so that slots can move to it. A new
 * master owns no slots: `rebalance` with `useEmptyMasters` gives it its share.
 */
export async function addNode(
  links: ClusterLinks,
  seeds: Addr[],
  newAddr: Addr,
  options: {
    replicaOf?: string | null;
    names?: Map<string, Addr>;
    /** @default ADD_NODE_TIMEOUT_MS */
    timeoutMs?: number;
  } = {},
): Promise<{ id: string; addr: Addr; role: 'master' | 'replica' }> {
  const deadline = Date.now() + (options.timeoutMs ?? ADD_NODE_TIMEOUT_MS);
  const hp = parseAddr(newAddr);
  if (!hp) throw new UserError(`'${newAddr}' is not a host:port address`, 2);
  const addr = formatAddr(hp.host, hp.port);
  const { state } = await readCluster(links, seeds);
  if (Object.values(state.addrs).includes(addr))
    throw new UserError(`${addr} is already a member of the cluster`, 2);
  const master =
    options.replicaOf === undefined || options.replicaOf === null
      ? null
      : masterNamed(state, options.replicaOf, options.names, 'the node to replicate');
  const { node, view } = await readClusterNode(links.link(addr));
  if (!view.up) throw new UserError(view.downReason ?? `${addr} does not answer`);
  const keys = node.stats.keyspace.db0?.keys ?? 0;
  if ((view.knownNodes ?? 1) > 1 || (view.slotsAssigned ?? 0) > 0 || keys > 0)
    throw new UserError(
      `${addr} is not empty (it knows ${view.knownNodes ?? '?'} nodes, owns ${view.slotsAssigned ?? '?'} slots and holds ${keys} keys); add an empty node, or run CLUSTER RESET and FLUSHALL on it if nothing there is needed`,
    );
  const id = view.myId;
  if (id === null) throw new UserError(`${addr} did not say its node id`);
  const members = state.views.filter((v) => v.up);
  const [introducer] = members;
  if (!introducer) throw new UserError('no member of the cluster answers');
  const busPort = view.entries.find((e) => e.id === id)?.busPort ?? null;
  const meet: (string | number)[] = [hp.host, hp.port];
  // the bus port is port + 10000 unless the node says otherwise (cluster-port)
  if (busPort !== null && busPort !== 0 && busPort !== hp.port + 10_000) meet.push(busPort);
  await links.call(introducer.addr, 'CLUSTER', 'MEET', ...meet);
  await waitUntil(deadline, `every node to know ${addr}`, async () => {
    const views = await links.views([addr, ...members.map((v) => v.addr)]);
    const knows = (a: Addr, other: string) =>
      views
        .find((v) => v.addr === a)
        ?.entries.some(
          (e) => e.id === other && e.addr !== null && !e.flags.includes('handshake'),
        ) ?? false;
    return members.every((m) => knows(m.addr, id) && m.myId !== null && knows(addr, m.myId));
  });
  if (!master) {
    // a node that was alone counts as a minority partition and stays cluster_state:fail for up
    // to cluster-node-timeout after it joins, answering CLUSTERDOWN to the keys MIGRATE sends it
    await waitUntil(deadline, `${addr} to say cluster_state:ok`, async () => {
      const reading = await readClusterNode(links.link(addr));
      return reading.view.state === 'ok';
    });
    return { id, addr, role: 'master' };
  }
  await waitUntil(deadline, `${addr} to accept CLUSTER REPLICATE`, async () => {
    try {
      await links.call(addr, 'CLUSTER', 'REPLICATE', master.id);
      return true;
    } catch (err) {
      // gossip may not have told it about the master yet
      if (/unknown node/i.test(describeRedisError(addr, err).message)) return false;
      throw err;
    }
  });
  await waitUntil(
    deadline,
    `every node to see ${addr} as a replica of ${master.addr}`,
    async () => {
      const views = await links.views([addr, ...members.map((v) => v.addr)]);
      return views
        .filter((v) => v.up)
        .every((v) => v.entries.some((e) => e.id === id && e.masterId === master.id));
    },
  );
  return { id, addr, role: 'replica' };
}

/** What `delNode` did; `resetError` says why CLUSTER RESET on the removed node failed, if it did. */
export interface DelNodeResult {
  id: string;
  addr: Addr;
  /**
   * Null when the removed node took CLUSTER RESET HARD or did not answer (a dead node is removed
   * regardless); else the reason it refused, so it still believes it is a member.
   */
  resetError: string | null;
}

/**
 * Removes a node, as `redis-cli --cluster del-node` does: refused while it owns slots (the
 * sentence names the reshard or rebalance that empties it), while an open move names it, or
 * while it is a master holding keys (a move interrupted after some keys reached it); its
 * replicas follow the master with the fewest; CLUSTER FORGET on every other node (which also
 * keeps it out for 60 s); then CLUSTER RESET HARD on the removed node when it answers, so it
 * does not gossip its way back.
 */
export async function delNode(
  links: ClusterLinks,
  seeds: Addr[],
  node: string,
  options: {
    names?: Map<string, Addr>;
    /** Called once the node may be removed, before anything changes; throws to stop. */
    approve?: (who: string) => Promise<void>;
  } = {},
): Promise<DelNodeResult> {
  const { state } = await readCluster(links, seeds);
  const gone = resolveClusterNode(state, node, options.names);
  const name = label(gone.addr, options.names);
  const move = state.moves.find((m) => m.fromId === gone.id || m.toId === gone.id);
  if (move) {
    const side = (id: string) => state.addrs[id] ?? id.slice(0, 8);
    throw new UserError(
      `${name} takes part in an open move (slot ${move.slot} from ${side(move.fromId)} to ${side(move.toId)}) and removing it would lose the keys in flight; finish the move first with 'quorum cluster check --fix'`,
    );
  }
  const shard = state.shards.find((s) => s.masterId === gone.id);
  if (shard && shard.slotCount > 0) {
    const other = [...state.shards]
      .filter((s) => s.masterId !== gone.id && s.master !== null && !s.masterFailed)
      .sort((a, b) => a.slotCount - b.slotCount)[0];
    const to = other?.master ? label(other.master, options.names) : 'ANOTHER-MASTER';
    throw new UserError(
      `${name} owns ${shard.slotCount} slots (${formatRanges(shard.slots, 3)}); empty it first with 'quorum cluster reshard --from ${name} --to ${to} --slots ${shard.slotCount} --yes' or 'quorum cluster rebalance --weight ${name}=0'`,
    );
  }
  // a master owning no slot serves no key: any it holds came from a move that was interrupted
  // (or closed by hand) and exist nowhere else. Its own word on its role counts: a master that
  // gave away its last slot turns replica of the taker at once (Redis 7,
  // cluster-allow-replica-migration) and syncs its data, before gossip tells the others.
  const goneView = state.views.find((v) => v.addr === gone.addr && v.up);
  const goneUp = goneView !== undefined;
  const self = goneView?.entries.find((e) => e.flags.includes('myself'));
  if (self?.role === 'master') {
    const keys = await links.call(gone.addr, 'DBSIZE').catch((err: unknown) => {
      throw new UserError(
        `could not count the keys ${name} holds (${describeRedisError(gone.addr, err).message}), and a master is removed only once it holds none; try again when it answers`,
      );
    });
    if (keys !== 0)
      throw new UserError(
        `${name} owns no slot but holds ${typeof keys === 'number' ? `${keys} key${keys === 1 ? '' : 's'}` : 'keys'}, which removing it would lose; finish any interrupted move with 'quorum cluster check --fix', or move those keys to their slots' owners by hand, then remove it`,
      );
  }
  const others = state.views.filter((v) => v.addr !== gone.addr);
  const down = others.filter((v) => !v.up);
  // a member that missed the FORGET still knows the node, and would bring it back through
  // gossip once it returns, if the node still runs (a dead node can be removed regardless)
  if (down.length > 0 && goneUp)
    throw new UserError(
      `${down.map((v) => v.addr).join(', ')} ${down.length === 1 ? 'is' : 'are'} down and would bring ${gone.addr} back through gossip when ${down.length === 1 ? 'it returns' : 'they return'}; start or remove ${down.length === 1 ? 'it' : 'them'} first`,
    );
  await options.approve?.(name === gone.addr ? name : `${name} (${gone.addr})`);
  const adopters = mastersByReplicas(state, gone.id);
  for (const replica of shard?.replicas ?? []) {
    const adopter = adopters.sort((a, b) => a.replicas - b.replicas)[0];
    if (!adopter || !replica.addr) break;
    await links.call(replica.addr, 'CLUSTER', 'REPLICATE', adopter.id);
    adopter.replicas += 1;
  }
  for (const v of others.filter((o) => o.up)) {
    try {
      await links.call(v.addr, 'CLUSTER', 'FORGET', gone.id);
    } catch (err) {
      throw new UserError(
        `CLUSTER FORGET on ${v.addr} failed: ${describeRedisError(v.addr, err).message}; run del-node again`,
      );
    }
  }
  let resetError: string | null = null;
  if (goneUp) {
    try {
      await links.call(gone.addr, 'CLUSTER', 'RESET', 'HARD');
    } catch (err) {
      resetError = describeRedisError(gone.addr, err).message;
    }
  }
  return { ...gone, resetError };
}

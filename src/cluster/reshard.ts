import type { Addr, ClusterState } from '../model/index.js';
import { slotOwners, UserError } from '../model/index.js';
import { describeRedisError, integerReply } from '../redis/index.js';
import type { ClusterLinks } from './links.js';
import { sleep } from './links.js';
import { answeringMasters, entryOf, readCluster } from './members.js';
import type { MoveNode } from './move.js';
import { commitSlot, migrateKeys, moveSlot, slotError } from './move.js';
import { pickSlots } from './plan.js';
import { resolveClusterNode } from './resolve.js';

export interface MoveProgress {
  slot: number;
  slotsDone: number;
  slotsTotal: number;
  keysMoved: number;
}

export interface ReshardOptions {
  /** The master giving slots: address, id, id prefix or local process name. */
  from: string;
  /** The master taking them. */
  to: string;
  slots: number;
  /** Local process names -> addresses, so `redis-1` names a node. */
  names?: Map<string, Addr>;
  /** Called after each slot. */
  progress?: (p: MoveProgress) => void;
  /** Stops the move between two slots (never inside one). */
  signal?: AbortSignal;
  /** keys per MIGRATE @default 100 */
  batch?: number;
  /** Called with a sentence for each slot an earlier interruption left open, once closed. */
  fixed?: (sentence: string) => void;
}

export interface ReshardResult {
  from: Addr;
  to: Addr;
  slotsMoved: number;
  keysMoved: number;
  /** Slots asked for but not moved: 0 unless cancelled. */
  remaining: number;
  ms: number;
}

/**
 * Slot moves stopped between two slots by their signal (moveSlots); the counts are this call's.
 * Every slot moved so far is closed.
 */
export class MovesCancelled extends UserError {
  constructor(
    readonly slotsMoved: number,
    readonly keysMoved: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A reshard cancelled between two slots: what it moved, what is left, and the command that moves
 * the rest (`flags`: what that command needs to reach the cluster, e.g. ` --dir d`).
 */
export class ReshardCancelled extends UserError {
  constructor(
    readonly result: ReshardResult,
    flags = '',
  ) {
    super(
      `cancelled after ${result.slotsMoved} of ${result.slotsMoved + result.remaining} slots (${result.keysMoved} keys moved); every slot moved so far is closed, nothing is left open; move the other ${result.remaining} with 'quorum cluster reshard --from ${result.from} --to ${result.to} --slots ${result.remaining}${flags} --yes'`,
    );
  }
}

/** How long a move waits, at most, for every node to share the new slot map before returning. */
const SETTLE_MS = 5000;

/** The master `text` names, refusing replicas; `what` says what it is for. */
export function masterNamed(
  state: ClusterState,
  text: string,
  names: Map<string, Addr> | undefined,
  what: string,
): MoveNode {
  const node = resolveClusterNode(state, text, names);
  const entry = entryOf(state, node.id);
  if (entry?.role === 'replica') {
    const master = entry.masterId ? (state.addrs[entry.masterId] ?? entry.masterId) : 'none';
    throw new UserError(
      `${node.addr} is a replica (of ${master}); ${what} must be a master, slots live only on masters`,
      2,
    );
  }
  const view = state.views.find((v) => v.addr === node.addr);
  if (!view?.up)
    throw new UserError(
      `${node.addr} is down (${view?.downReason ?? 'no answer'}); ${what} must answer`,
    );
  return node;
}

/**
 * Moves `slots` one after the other from `source` to `target`; stops between two slots when
 * `signal` is aborted (MovesCancelled), so at most the slot in flight is ever open (when the
 * process dies).
 */
export async function moveSlots(
  links: ClusterLinks,
  state: ClusterState,
  source: MoveNode,
  target: MoveNode,
  slots: number[],
  options: {
    batch?: number;
    signal?: AbortSignal;
    progress?: (p: MoveProgress) => void;
    /** Slots and keys done before this call, for progress across several moves. */
    done?: { slots: number; keys: number; total: number };
  },
): Promise<number> {
  const masters = answeringMasters(state);
  for (const node of [source, target]) {
    const view = state.views.find((v) => v.addr === node.addr);
    // a node saying fail refuses the keys (CLUSTERDOWN): the slot would be left open
    if (view?.up && view.state !== 'ok')
      throw new UserError(
        `${node.addr} says cluster_state:${view.state ?? 'unknown'} and would refuse the keys; wait until quorum cluster check passes`,
      );
  }
  const before = options.done ?? { slots: 0, keys: 0, total: slots.length };
  let keys = 0;
  for (const [i, slot] of slots.entries()) {
    if (options.signal?.aborted)
      throw new MovesCancelled(
        i,
        keys,
        `cancelled after ${before.slots + i} of ${before.total} slots (${before.keys + keys} keys moved); every slot moved so far is closed, nothing is left open`,
      );
    keys += await moveSlot(links, slot, source, target, masters, { batch: options.batch });
    options.progress?.({
      slot,
      slotsDone: before.slots + i + 1,
      slotsTotal: before.total,
      keysMoved: before.keys + keys,
    });
  }
  return keys;
}

/** Waits (at most SETTLE_MS) until every node shares one slot map and no slot is open. */
export async function settle(links: ClusterLinks, seeds: Addr[]): Promise<void> {
  const deadline = Date.now() + SETTLE_MS;
  while (Date.now() < deadline) {
    const { state } = await readCluster(links, seeds);
    if (state.disagreements.length === 0 && state.moves.length === 0) return;
    await sleep(100);
  }
}

/**
 * Moves `slots` slots (the lowest it owns, as redis-cli picks them) from one master to another,
 * slot by slot, keys and all, while clients keep reading and writing. First closes any slot an
 * earlier interrupted move left open (fixOpenSlots).
 */
export async function reshard(
  links: ClusterLinks,
  seeds: Addr[],
  options: ReshardOptions,
): Promise<ReshardResult> {
  const started = Date.now();
  if (!Number.isInteger(options.slots) || options.slots < 1)
    throw new UserError(`--slots ${options.slots} is not a positive whole number of slots`, 2);
  let { state } = await readCluster(links, seeds);
  const source = masterNamed(state, options.from, options.names, 'the source');
  const target = masterNamed(state, options.to, options.names, 'the target');
  if (source.id === target.id)
    throw new UserError(`--from and --to both name ${source.addr}; pick two different masters`, 2);
  const fixed = await fixOpenSlots(links, seeds);
  for (const sentence of fixed) options.fixed?.(sentence);
  if (fixed.length > 0) ({ state } = await readCluster(links, seeds));
  const owned = state.shards.find((s) => s.masterId === source.id)?.slots ?? [];
  const count = owned.reduce((sum, [a, b]) => sum + b - a + 1, 0);
  if (options.slots > count)
    throw new UserError(
      `${source.addr} owns ${count} slots, so it cannot give ${options.slots}; pass --slots ${count} or fewer`,
      2,
    );
  const slots = pickSlots(owned, options.slots);
  const result = (slotsMoved: number, keysMoved: number): ReshardResult => ({
    from: source.addr,
    to: target.addr,
    slotsMoved,
    keysMoved,
    remaining: slots.length - slotsMoved,
    ms: Date.now() - started,
  });
  let keysMoved: number;
  try {
    keysMoved = await moveSlots(links, state, source, target, slots, options);
  } catch (err) {
    if (!(err instanceof MovesCancelled)) throw err;
    // cancelled between two slots: let the nodes agree on the slots moved so far first
    await settle(links, seeds).catch(() => undefined);
    throw new ReshardCancelled(result(err.slotsMoved, err.keysMoved));
  }
  await settle(links, seeds);
  return result(slots.length, keysMoved);
}

/** Open slots as every node reports them on its own line: who migrates or imports what. */
function openSlots(state: ClusterState) {
  const open = new Map<number, { migrating: [string, string][]; importing: [string, string][] }>();
  const at = (slot: number) => {
    let o = open.get(slot);
    if (!o) open.set(slot, (o = { migrating: [], importing: [] }));
    return o;
  };
  for (const v of state.views) {
    const self = v.entries.find((e) => e.flags.includes('myself'));
    if (!v.up || !self) continue;
    for (const m of self.migrating) at(m.slot).migrating.push([self.id, m.to]);
    for (const i of self.importing) at(i.slot).importing.push([i.from, self.id]);
  }
  return [...open.entries()].sort((a, b) => a[0] - b[0]);
}

/**
 * Closes slots an interrupted move left MIGRATING/IMPORTING (finishing the move: remaining keys
 * MIGRATEd, SETSLOT NODE on both sides and every master); returns one sentence per slot fixed.
 */
export async function fixOpenSlots(links: ClusterLinks, seeds: Addr[]): Promise<string[]> {
  const { state } = await readCluster(links, seeds);
  const reference = state.views.find((v) => v.addr === state.reference);
  const owners = reference ? slotOwners(reference) : [];
  const masters = answeringMasters(state);
  const node = (id: string): MoveNode => {
    const addr = state.addrs[id];
    if (!addr) throw new UserError(`node ${id.slice(0, 8)} of an open move has no address`);
    return { id, addr };
  };
  const fixed: string[] = [];
  for (const [slot, { migrating, importing }] of openSlots(state)) {
    const owner = owners[slot] ?? null;
    // the pair that names the owner wins; a move is finished forwards, towards its target
    const pairs = [...migrating, ...importing];
    const [fromId, toId] = pairs.find(([f, t]) => f === owner || t === owner) ?? pairs[0] ?? [];
    if (fromId === undefined || toId === undefined) continue;
    const source = node(fromId);
    const target = node(toId);
    if (owner !== null && owner !== fromId && owner !== toId)
      throw new UserError(
        `slot ${slot} is open between ${source.addr} and ${target.addr} but owned by ${state.addrs[owner] ?? owner}; close it by hand (CLUSTER SETSLOT ${slot} STABLE on both) after checking where its keys are`,
      );
    let keys = 0;
    try {
      if (owner === fromId) {
        await links.call(target.addr, 'CLUSTER', 'SETSLOT', slot, 'IMPORTING', fromId);
        await links.call(source.addr, 'CLUSTER', 'SETSLOT', slot, 'MIGRATING', toId);
        keys = await migrateKeys(links, slot, source, target, { replace: true });
      } else {
        // the target already owns it (or nobody does): a node that is not the owner cannot
        // MIGRATE its keys, so there must be none left behind
        const left = integerReply(
          'CLUSTER COUNTKEYSINSLOT',
          await links.call(source.addr, 'CLUSTER', 'COUNTKEYSINSLOT', slot),
        );
        if (left > 0)
          throw new UserError(
            `slot ${slot} belongs to ${owner === null ? 'nobody' : target.addr} but ${source.addr} still holds ${left} of its keys; move them by hand before closing it`,
          );
      }
      await commitSlot(links, slot, owner === null ? null : source, target, masters);
      // anyone else still flagging the slot (a stale IMPORTING) lets go of it
      const stale = [...migrating, ...importing]
        .flatMap(([f, t]) => [f, t])
        .filter((id) => id !== fromId && id !== toId);
      for (const id of new Set(stale)) {
        const addr = state.addrs[id];
        if (addr)
          await links.call(addr, 'CLUSTER', 'SETSLOT', slot, 'STABLE').catch(() => undefined);
      }
    } catch (err) {
      if (err instanceof UserError) throw err;
      throw slotError(slot, source, target, describeRedisError(source.addr, err));
    }
    fixed.push(
      `slot ${slot}: finished the move from ${source.addr} to ${target.addr} (${keys} key${keys === 1 ? '' : 's'} moved)`,
    );
  }
  if (fixed.length > 0) await settle(links, seeds);
  return fixed;
}

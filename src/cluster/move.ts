import type { Addr } from '../model/index.js';
import { parseAddr, parseClusterNodes, UserError } from '../model/index.js';
import { buffersReply, describeRedisError, textReply } from '../redis/index.js';
import type { ClusterLinks } from './links.js';
import { MIGRATE_TIMEOUT_MS } from './links.js';

/** Keys per MIGRATE (and per CLUSTER GETKEYSINSLOT), as redis-cli's --cluster-pipeline. */
const DEFAULT_MIGRATE_BATCH = 100;

/** A node taking part in a move. */
export interface MoveNode {
  id: string;
  addr: Addr;
}

export interface SlotMoveOptions {
  /** Keys per MIGRATE. @default DEFAULT_MIGRATE_BATCH */
  batch?: number;
  /**
   * MIGRATE with REPLACE when the target already holds a key (BUSYKEY). Only when finishing an
   * interrupted move: the source's copy is then the newer one, since writes to a key the source
   * still holds go to the source. @default false
   */
  replace?: boolean;
}

/** A failed Redis call as a sentence that says which slot it left open and how to close it. */
export function slotError(
  slot: number,
  source: MoveNode,
  target: MoveNode,
  err: unknown,
): UserError {
  if (err instanceof UserError) return err;
  const reason = describeRedisError(source.addr, err).message;
  return new UserError(
    `moving slot ${slot} from ${source.addr} to ${target.addr} failed: ${reason}; the slot is left open, finish it with quorum cluster check --fix`,
  );
}

/**
 * Moves every key of `slot` from `source` to `target` (which must be MIGRATING/IMPORTING it):
 * CLUSTER GETKEYSINSLOT, then MIGRATE host port "" 0 timeout KEYS ..., until the source holds none.
 * Resolves to the number of keys moved.
 */
export async function migrateKeys(
  links: ClusterLinks,
  slot: number,
  source: MoveNode,
  target: MoveNode,
  options: SlotMoveOptions = {},
): Promise<number> {
  const batch = options.batch ?? DEFAULT_MIGRATE_BATCH;
  const hp = parseAddr(target.addr);
  if (!hp) throw new UserError(`${target.addr} is not a host:port address`);
  const { user, password } = links.access;
  // the source authenticates to the target with quorum's own credentials
  const auth =
    password === null ? [] : user === null ? ['AUTH', password] : ['AUTH2', user, password];
  let moved = 0;
  let replace = false;
  for (;;) {
    // a reply of another shape must not pass for an empty slot: the slot would be committed
    // with its keys left behind
    const names = buffersReply(
      'CLUSTER GETKEYSINSLOT',
      await links.keysCall(source.addr, 'CLUSTER', 'GETKEYSINSLOT', slot, batch),
    );
    if (names.length === 0) return moved;
    const args = [hp.host, hp.port, '', 0, MIGRATE_TIMEOUT_MS];
    try {
      const reply = await links.keysCall(
        source.addr,
        'MIGRATE',
        ...args,
        ...(replace ? ['REPLACE'] : []),
        ...auth,
        'KEYS',
        ...names,
      );
      // NOKEY: every key expired between GETKEYSINSLOT and MIGRATE
      if (String(reply) !== 'NOKEY') moved += names.length;
      replace = false;
    } catch (err) {
      const busy = /BUSYKEY/.test(describeRedisError(source.addr, err).message);
      if (!busy) throw err;
      if (options.replace !== true)
        throw new UserError(
          `moving slot ${slot} from ${source.addr} to ${target.addr} stopped: ${target.addr} already holds one of its keys (BUSYKEY); the slot is left open, finish it with quorum cluster check --fix (the source's copy replaces the target's)`,
        );
      replace = true;
    }
  }
}

async function setSlot(links: ClusterLinks, addr: Addr, slot: number, ...how: string[]) {
  await links.call(addr, 'CLUSTER', 'SETSLOT', slot, ...how);
}

/**
 * How long commitSlot waits for a master other than the two sides to take SETSLOT NODE. Only
 * the two sides must have it; the others learn it from gossip anyway, so a master that is slow
 * (frozen, or failing but not flagged yet) is not waited on longer, nor asked again.
 */
const BYSTANDER_WAIT_MS = 500;

/** Whether `promise` settles within `ms` (its outcome does not matter). */
function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.then(
      () => true,
      () => true,
    ),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms))),
  ]).finally(() => clearTimeout(timer));
}

/**
 * SETSLOT NODE on the source of a move. When that was the source's last slot, the target's new
 * claim can reach it by gossip first, and with cluster-allow-replica-migration (the default) the
 * emptied master then turns itself into a replica of the target: it refuses SETSLOT ("only with
 * masters") but has taken the new owner, so that refusal is the outcome wanted, not an error.
 */
async function tellSource(
  links: ClusterLinks,
  slot: number,
  source: MoveNode,
  target: MoveNode,
): Promise<void> {
  try {
    await setSlot(links, source.addr, slot, 'NODE', target.id);
  } catch (err) {
    if (!/only with masters/i.test(describeRedisError(source.addr, err).message)) throw err;
    const nodes = parseClusterNodes(
      textReply('CLUSTER NODES', await links.call(source.addr, 'CLUSTER', 'NODES')),
    );
    const myself = nodes.find((n) => n.flags.includes('myself'));
    if (myself?.role !== 'replica' || myself.masterId !== target.id) throw err;
  }
}

/**
 * Gives `slot` to `target` everywhere: CLUSTER SETSLOT slot NODE target on the target first (it
 * bumps its config epoch, having imported the slot, so its claim wins in gossip), then on the
 * source, then on every other master in `masters` (answeringMasters). A master that gives no
 * answer within BYSTANDER_WAIT_MS is removed from `masters`, so later slots leave it to gossip.
 */
export async function commitSlot(
  links: ClusterLinks,
  slot: number,
  source: MoveNode | null,
  target: MoveNode,
  masters: Set<Addr>,
): Promise<void> {
  await setSlot(links, target.addr, slot, 'NODE', target.id);
  if (source) await tellSource(links, slot, source, target);
  const others = [...masters].filter((m) => m !== target.addr && m !== source?.addr);
  await Promise.all(
    others.map(async (m) => {
      const told = setSlot(links, m, slot, 'NODE', target.id);
      if (!(await settlesWithin(told, BYSTANDER_WAIT_MS))) masters.delete(m);
    }),
  );
}

/**
 * Moves one slot, as redis-cli does: IMPORTING on the target, MIGRATING on the source (in this
 * order, so the source never sends ASK to a target that would refuse it), every key over with
 * MIGRATE, then NODE on every master. Clients keep writing meanwhile: the source answers for the
 * keys it still holds and sends ASK for the others. Resolves to the number of keys moved.
 */
export async function moveSlot(
  links: ClusterLinks,
  slot: number,
  source: MoveNode,
  target: MoveNode,
  masters: Set<Addr>,
  options: SlotMoveOptions = {},
): Promise<number> {
  try {
    try {
      await setSlot(links, target.addr, slot, 'IMPORTING', source.id);
    } catch (err) {
      // a move interrupted right after the target took the slot: only the rest is left to do
      if (!/already the owner/i.test(describeRedisError(target.addr, err).message)) throw err;
      await commitSlot(links, slot, source, target, masters);
      return 0;
    }
    await setSlot(links, source.addr, slot, 'MIGRATING', target.id);
    const keys = await migrateKeys(links, slot, source, target, options);
    await commitSlot(links, slot, source, target, masters);
    return keys;
  } catch (err) {
    throw slotError(slot, source, target, err);
  }
}

import type { Addr, SentinelTopology } from '../model/index.js';
import { formatAddr, parseAddr, replicasOf, UserError } from '../model/index.js';
import type { Access } from '../redis/index.js';
import {
  describeRedisError,
  hostPortReply,
  textReply,
  flattenInfo,
  infoNumber,
  parseInfo,
  RedisLink,
} from '../redis/index.js';

export interface SwitchoverOptions {
  masterName: string;
  /** The master the sentinels agree on now. */
  master: Addr;
  /** Its replicas (they must catch up before the switch). */
  replicas: Addr[];
  sentinels: Addr[];
  access: Access;
  sentinelAccess: Access;
  /** The longest writers may stay paused; past it the switch is abandoned. @default 10000 */
  pauseMs?: number;
  /** How long replicas may take to catch up with the paused master. @default 2000 */
  catchUpMs?: number;
  progress?: (line: string) => void;
}

/** Who takes part in a switchover of the master a Sentinel deployment agrees on now. */
export function switchoverParties(
  topology: SentinelTopology,
): Pick<SwitchoverOptions, 'master' | 'replicas' | 'sentinels'> | null {
  const master = topology.agreement.master;
  if (master === null) return null;
  return {
    master,
    replicas: replicasOf(topology, master),
    sentinels: topology.sentinels.filter((s) => s.up).map((s) => s.addr),
  };
}

export interface SwitchoverResult {
  oldMaster: Addr;
  newMaster: Addr;
  /** How long writes were paused on the old master. */
  pausedMs: number;
  /**
   * Why the old master's demotion is not saved in its config file (CONFIG REWRITE failed), so a
   * restart would bring it back as a master; null when it is saved.
   */
  unsaved: string | null;
  message: string;
}

/** The sentence for a demotion CONFIG REWRITE could not save, and what to do about it. */
function unsavedDemotion(oldMaster: Addr, newMaster: string, reason: string): string {
  return `but its demotion is not saved: CONFIG REWRITE failed (${reason}), so a restart brings ${oldMaster} back as a master; make its config file writable and run CONFIG REWRITE on it, or add 'replicaof ${newMaster}' to that file`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How long, after the switch, to wait for every sentinel to name the new master. */
const AGREE_MS = 3000;

/** The name of a switchover's connections: another switchover finds them with CLIENT LIST. */
const NAME = 'quorum-switchover';

function link(addr: Addr, access: Access): RedisLink {
  return new RedisLink(addr, { timeoutMs: 2000, access, connectionName: NAME });
}

/**
 * Another switchover of this master under way, from this process or any other quorum (pure
 * over CLIENT LIST): any other connection named as ours. Each run names its connection before
 * it lists, so of two started together at most one goes on (both refuse when they cross, which
 * is safe). Null when there is none.
 */
export function otherSwitchover(clientList: string, ownId: number): string | null {
  for (const line of clientList.split('\n')) {
    const fields = new Map(
      line
        .trim()
        .split(' ')
        .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)] as const),
    );
    if (fields.get('name') === NAME && Number(fields.get('id')) !== ownId)
      return `from ${fields.get('addr') ?? '?'}, connected ${fields.get('age') ?? '?'} s ago`;
  }
  return null;
}

/**
 * Refuses when another switchover holds this master. A master that will not list its clients
 * (an ACL user without CLIENT) cannot be checked: that is said, and the switchover goes on.
 */
async function refuseConcurrent(
  master: RedisLink,
  addr: Addr,
  say: (line: string) => void,
): Promise<void> {
  const listed = await Promise.all([
    master.call('CLIENT', 'ID'),
    master.call('CLIENT', 'LIST', 'TYPE', 'normal'),
  ]).catch((err: unknown) => {
    say(
      `could not check for another switchover of ${addr}: ${describeRedisError(addr, err).message}`,
    );
    return null;
  });
  if (!listed || typeof listed[0] !== 'number') return;
  const other = otherSwitchover(textReply('CLIENT LIST', listed[1]), listed[0]);
  if (other)
    throw new UserError(
      `a switchover of ${addr} is already under way (${other}); nothing was done: wait for it to end and see 'quorum status'`,
    );
}

async function replicationOffset(l: RedisLink, key: string): Promise<number | null> {
  const info = textReply('INFO replication', await l.call('INFO', 'replication'));
  return infoNumber(flattenInfo(parseInfo(info)), key);
}

async function masterAddrOf(sentinel: RedisLink, masterName: string): Promise<Addr | null> {
  const reply = await sentinel.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', masterName);
  const named = hostPortReply('SENTINEL GET-MASTER-ADDR-BY-NAME', reply);
  return named === null ? null : formatAddr(named.host, named.port);
}

/**
 * A switchover that loses no acknowledged write, which SENTINEL FAILOVER alone does not give:
 * Sentinel leaves the old master accepting writes until it converts it about 10 s later, and
 * those writes vanish in its resync. So, as Redis's own FAILOVER command does for a single
 * replica: pause writes on the master (CLIENT PAUSE WRITE, bounded), wait until every replica has
 * processed everything, ask a sentinel to fail over, and the moment the sentinels name the new
 * master, demote the old one and disconnect its clients (what Sentinel's +convert-to-slave does),
 * then unpause. Writes that waited in the pause fail or reconnect; none is acknowledged and lost.
 * On any failure before the switch, writes resume on the old master and the error says why.
 */
export async function safeSwitchover(options: SwitchoverOptions): Promise<SwitchoverResult> {
  const pauseMs = options.pauseMs ?? 10_000;
  const catchUpMs = options.catchUpMs ?? 2000;
  const say = options.progress ?? (() => undefined);
  if (options.replicas.length === 0)
    throw new UserError(`${options.master} has no replica to switch over to`);
  const master = link(options.master, options.access);
  const replicas = options.replicas.map((r) => link(r, options.access));
  const sentinels = options.sentinels.map((s) => link(s, options.sentinelAccess));
  let paused = false;
  const pausedAt = Date.now();
  try {
    await refuseConcurrent(master, options.master, say);
    await master.call('CLIENT', 'PAUSE', String(pauseMs), 'WRITE');
    paused = true;
    say(`paused writes on ${options.master} (at most ${String(pauseMs)} ms)`);
    const target = await replicationOffset(master, 'master_repl_offset');
    if (target === null) throw new UserError(`${options.master} reports no replication offset`);
    const deadline = Date.now() + catchUpMs;
    for (;;) {
      const offsets = await Promise.all(
        replicas.map((r) => replicationOffset(r, 'slave_repl_offset').catch(() => null)),
      );
      if (offsets.every((o) => o !== null && o >= target)) break;
      if (Date.now() > deadline) {
        const behind = options.replicas.filter((_, i) => (offsets[i] ?? -1) < target);
        throw new UserError(
          `replica${behind.length > 1 ? 's' : ''} ${behind.join(', ')} did not catch up with ${options.master} within ${String(catchUpMs)} ms; nothing was switched and writes resumed`,
        );
      }
      await sleep(20);
    }
    say(`every replica has processed offset ${String(target)}`);
    let asked: RedisLink | null = null;
    const refusals: string[] = [];
    for (const [i, s] of sentinels.entries()) {
      try {
        await s.call('SENTINEL', 'FAILOVER', options.masterName);
        asked = s;
        say(`asked sentinel ${options.sentinels[i] ?? '?'} to fail over`);
        break;
      } catch (err) {
        refusals.push(describeRedisError(options.sentinels[i] ?? '?', err).message);
      }
    }
    if (!asked)
      throw new UserError(
        `no sentinel accepted the failover: ${refusals.join('; ')}; writes resumed`,
      );
    let newMaster: Addr | null = null;
    while (Date.now() - pausedAt < pauseMs - 1000) {
      const named = await masterAddrOf(asked, options.masterName).catch(() => null);
      if (named !== null && named !== options.master) {
        newMaster = named;
        break;
      }
      await sleep(50);
    }
    if (newMaster === null) {
      throw new UserError(
        `the sentinels did not switch within ${String(pauseMs - 1000)} ms; writes resumed on ${options.master}, and if the failover under way completes later, what it accepts meanwhile is lost`,
      );
    }
    // clients ask whichever sentinel comes first in their list: let the others learn the switch
    // (hello messages, up to 2 s) while writers still wait in the pause, instead of sending them
    // back to the old master to be refused
    const switched = newMaster;
    const agreedBy = Date.now() + AGREE_MS;
    while (Date.now() < agreedBy && Date.now() - pausedAt < pauseMs - 1000) {
      const named = await Promise.all(
        sentinels.map((s) => masterAddrOf(s, options.masterName).catch(() => switched)),
      );
      if (named.every((n) => n === switched)) break;
      await sleep(50);
    }
    say(`the sentinels name ${newMaster}`);
    const hp = parseAddr(newMaster);
    if (!hp) throw new UserError(`the sentinels named an unreadable master address ${newMaster}`);
    // what Sentinel's +convert-to-slave would do ten seconds from now, done before unpausing;
    // the pause is renewed first (Redis keeps the later end), so it cannot lapse before this
    await master.call('CLIENT', 'PAUSE', String(pauseMs), 'WRITE');
    await master.call('REPLICAOF', hp.host, String(hp.port));
    await master.call('CLIENT', 'KILL', 'TYPE', 'normal').catch(() => undefined);
    await master.call('CLIENT', 'KILL', 'TYPE', 'pubsub').catch(() => undefined);
    // Sentinel saves its own +convert-to-slave with CONFIG REWRITE; done by hand here, it is
    // ours to save, and a failure must be said: the file still says master
    const unsaved = await master.call('CONFIG', 'REWRITE').then(
      () => null,
      (err: unknown) => describeRedisError(options.master, err).message,
    );
    const heldMs = Date.now() - pausedAt;
    const done = `switched '${options.masterName}' from ${options.master} to ${newMaster} with writes paused for ${String(heldMs)} ms; ${options.master} is a replica now`;
    return {
      oldMaster: options.master,
      newMaster,
      pausedMs: heldMs,
      unsaved,
      message:
        unsaved === null
          ? done
          : `${done}, ${unsavedDemotion(options.master, `${hp.host} ${String(hp.port)}`, unsaved)}`,
    };
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(describeRedisError(options.master, err).message);
  } finally {
    if (paused) await master.call('CLIENT', 'UNPAUSE').catch(() => undefined);
    await Promise.all([master, ...replicas, ...sentinels].map((l) => l.close()));
  }
}

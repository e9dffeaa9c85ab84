import type { Addr } from '../model/index.js';
import { UserError } from '../model/index.js';
import { describeRedisError, roleReply } from '../redis/index.js';
import type { ClusterLinks } from './links.js';
import { sleep } from './links.js';
import { entryOf, readCluster } from './members.js';
import { resolveClusterNode } from './resolve.js';

/** How long `clusterFailover` waits for the replica to say it is master. */
const CLUSTER_FAILOVER_TIMEOUT_MS = 30_000;

export type ClusterFailoverMode = 'default' | 'force' | 'takeover';

const HOW: Record<ClusterFailoverMode, string> = {
  // the manual failover: the master stops its clients until the replica has caught up
  default:
    'the default mode needs its master to answer (--force when the master is down, --takeover when most masters are)',
  force: 'FORCE still needs a majority of masters to vote (--takeover does without)',
  takeover: 'TAKEOVER needs nothing but the replica; see its log',
};

/**
 * Promotes a replica: CLUSTER FAILOVER [FORCE|TAKEOVER] on it, then waits until it reports role
 * master (ROLE). Default mode loses no write (the master pauses its clients until the replica has
 * its offset); FORCE skips the handshake with a master that is down; TAKEOVER skips the vote too.
 */
export async function clusterFailover(
  links: ClusterLinks,
  seeds: Addr[],
  node: string,
  options: {
    mode?: ClusterFailoverMode;
    names?: Map<string, Addr>;
    /** @default CLUSTER_FAILOVER_TIMEOUT_MS */
    timeoutMs?: number;
  } = {},
): Promise<{ replica: Addr; oldMaster: Addr; ms: number }> {
  const started = Date.now();
  const mode = options.mode ?? 'default';
  const timeoutMs = options.timeoutMs ?? CLUSTER_FAILOVER_TIMEOUT_MS;
  const { state } = await readCluster(links, seeds);
  const replica = resolveClusterNode(state, node, options.names);
  const entry = entryOf(state, replica.id);
  if (entry?.role !== 'replica' || entry.masterId === null) {
    const replicas = state.shards
      .find((s) => s.masterId === replica.id)
      ?.replicas.flatMap((r) => (r.addr ? [r.addr] : []));
    throw new UserError(
      `${replica.addr} is already a master; promote one of its replicas instead (${replicas?.length ? replicas.join(', ') : 'it has none'})`,
      2,
    );
  }
  const oldMaster = state.addrs[entry.masterId] ?? entry.masterId;
  try {
    await links.call(
      replica.addr,
      'CLUSTER',
      'FAILOVER',
      ...(mode === 'default' ? [] : [mode.toUpperCase()]),
    );
  } catch (err) {
    throw new UserError(
      `CLUSTER FAILOVER on ${replica.addr} was refused: ${describeRedisError(replica.addr, err).message}`,
    );
  }
  const deadline = started + timeoutMs;
  for (;;) {
    const role = await links
      .call(replica.addr, 'ROLE')
      .then((reply) => roleReply('ROLE', reply))
      .catch(() => null);
    if (role === 'master') return { replica: replica.addr, oldMaster, ms: Date.now() - started };
    if (Date.now() > deadline)
      throw new UserError(
        `${replica.addr} is still a replica ${Math.round(timeoutMs / 1000)} s after CLUSTER FAILOVER${mode === 'default' ? '' : ` ${mode.toUpperCase()}`}; ${HOW[mode]}`,
      );
    await sleep(50);
  }
}

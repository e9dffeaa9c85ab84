import type { Deployment } from '../deployment/index.js';
import { ServiceError } from '../model/index.js';
import { describeRedisError, startDebugSleep } from '../redis/index.js';
import { safeSwitchover, sentinelFailover, switchoverParties } from '../sentinel/index.js';
import type { SwitchoverResult } from '../sentinel/index.js';

/** The Sentinel side of a deployment: its target and last topology; a cluster is refused. */
function sentinelSide(d: Deployment) {
  const { target } = d.observer;
  const topology = d.observer.current();
  if (target.kind === 'cluster' || topology?.kind === 'cluster')
    throw new ServiceError(
      `'${d.name}' is a Redis Cluster, which has no sentinels to move its master; promote a replica with CLUSTER FAILOVER`,
      'bad-request',
    );
  return { masterName: target.masterName, topology };
}

/** SENTINEL FAILOVER on the first of the deployment's sentinels that answers; says who did it. */
export async function failoverDeployment(d: Deployment): Promise<string> {
  const { masterName, topology } = sentinelSide(d);
  const up = topology?.sentinels.filter((s) => s.up).map((s) => s.addr) ?? [];
  if (up.length === 0)
    throw new ServiceError(
      `no sentinel of '${d.name}' answers, so none can run a failover`,
      'conflict',
    );
  try {
    const by = await sentinelFailover(up, masterName, d.profile.sentinel);
    return `asked sentinel ${by} to fail over '${masterName}' away from ${topology?.agreement.master ?? 'the master'}`;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // a refusal (one under way, no promotable replica) is a conflict; no answer is unreachable
    throw new ServiceError(
      message,
      /INPROG|NOGOODSLAVE/i.test(message) ? 'conflict' : 'unreachable',
    );
  }
}

/** quorum's switchover (no acknowledged write lost) of the master the sentinels agree on now. */
export async function switchoverDeployment(
  d: Deployment,
  progress?: (line: string) => void,
): Promise<SwitchoverResult> {
  const { masterName, topology } = sentinelSide(d);
  const parties = topology ? switchoverParties(topology) : null;
  if (!parties)
    throw new ServiceError(
      `the sentinels of '${d.name}' agree on no master, so there is nothing to move; see 'quorum status'`,
      'conflict',
    );
  try {
    return await safeSwitchover({
      masterName,
      ...parties,
      access: d.profile.node,
      sentinelAccess: d.profile.sentinel,
      ...(progress ? { progress } : {}),
    });
  } catch (err) {
    throw new ServiceError(err instanceof Error ? err.message : String(err), 'conflict');
  }
}

/**
 * `DEBUG SLEEP seconds` on one data node: the node stops answering for that long. Resolves once
 * it sleeps (after checking it answers at all); `onDone` hears when it answers again.
 */
export async function debugSleepNode(
  d: Deployment,
  node: string,
  seconds: number,
  onDone: (message: string) => void,
): Promise<string> {
  if (!d.isNode(node)) throw new ServiceError(`no data node ${node} in '${d.name}'`, 'not-found');
  // make sure the node answers before claiming it sleeps: a node that is down is unreachable
  const probe = d.link(node, 'node', 'action');
  try {
    await probe.call('PING');
  } catch (err) {
    throw new ServiceError(describeRedisError(node, err).message, 'unreachable');
  } finally {
    await probe.close();
  }
  let woke: Promise<string | null>;
  try {
    ({ woke } = await startDebugSleep(node, d.profile.node, seconds));
  } catch (err) {
    throw new ServiceError(err instanceof Error ? err.message : String(err), 'conflict');
  }
  void woke.then((why) =>
    onDone(
      why === null
        ? `${node} woke up after DEBUG SLEEP ${String(seconds)}`
        : `DEBUG SLEEP on ${node} ended: ${why}`,
    ),
  );
  return `${node} sleeps for ${seconds} s (DEBUG SLEEP)`;
}

import type { Topology } from '../model/index.js';
import { agreedMaster, replicasOf, sentinelsOf, UserError } from '../model/index.js';
import { safeSwitchover, sentinelFailover } from '../admin/index.js';
import { RedisLink, describeRedisError, startDebugSleep } from '../redis/index.js';
import type { ActionRequest, Role } from './contract.js';
import type { DeploymentSource } from './hub.js';

/** An action refused or failed, with the HTTP status to answer. */
export class ActionError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 404 | 409 | 502,
  ) {
    super(message);
    this.name = 'ActionError';
  }
}

function knownNode(topology: Topology | null, addr: string): boolean {
  return topology?.nodes.some((n) => n.addr === addr) === true;
}

async function failover(source: DeploymentSource): Promise<string> {
  const topology = source.observer.current();
  const { masterName, sentinelPassword } = source.observer.target;
  const up = topology
    ? sentinelsOf(topology)
        .filter((s) => s.up)
        .map((s) => s.addr)
    : [];
  if (up.length === 0)
    throw new ActionError(
      `no sentinel of '${source.name}' answers, so none can run a failover`,
      409,
    );
  try {
    const by = await sentinelFailover(up, masterName, sentinelPassword);
    return `asked sentinel ${by} to fail over '${masterName}' away from ${(topology && agreedMaster(topology)) ?? 'the master'}`;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // a refusal (one under way, no promotable replica) is a conflict; no answer is a bad gateway
    throw new ActionError(message, /INPROG|NOGOODSLAVE/i.test(message) ? 409 : 502);
  }
}

/** quorum's switchover (src/admin/switchover.ts): no acknowledged write lost. */
async function switchover(source: DeploymentSource): Promise<string> {
  const topology = source.observer.current();
  const master = topology?.kind === 'sentinel' ? topology.agreement.master : null;
  if (topology?.kind !== 'sentinel' || !master)
    throw new ActionError(`the sentinels of '${source.name}' agree on no master`, 409);
  const { target } = source.observer;
  try {
    const result = await safeSwitchover({
      masterName: target.masterName,
      master,
      replicas: replicasOf(topology, master),
      sentinels: topology.sentinels.filter((s) => s.up).map((s) => s.addr),
      password: target.password,
      sentinelPassword: target.sentinelPassword,
    });
    return result.message;
  } catch (err) {
    throw new ActionError(err instanceof Error ? err.message : String(err), 409);
  }
}

/**
 * `DEBUG SLEEP n` blocks the node for n seconds. It is sent on a connection of its own and not
 * awaited: the answer is that the sleep started; its end shows in the observer as the node
 * answering again.
 */
async function debugSleep(
  source: DeploymentSource,
  node: string,
  seconds: number,
  onDone: (message: string) => void,
): Promise<string> {
  if (!knownNode(source.observer.current(), node))
    throw new ActionError(`no data node ${node} in '${source.name}'`, 404);
  // make sure the node answers before claiming it sleeps: a node that is down is a 502
  const probe = new RedisLink(node, {
    timeoutMs: 2000,
    password: source.observer.target.password,
    connectionName: 'quorum-action',
  });
  try {
    await probe.call('PING');
  } catch (err) {
    throw new ActionError(describeRedisError(node, err).message, 502);
  } finally {
    await probe.close();
  }
  let woke: Promise<string | null>;
  try {
    ({ woke } = await startDebugSleep(node, source.observer.target.password, seconds));
  } catch (err) {
    throw new ActionError(err instanceof Error ? err.message : String(err), 409);
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

/**
 * Runs one dashboard action and writes it to the event log with time, role and outcome.
 * Process actions need the local supervisor; the others work on any reachable deployment.
 */
export async function runAction(
  source: DeploymentSource,
  request: ActionRequest,
  role: Role,
): Promise<string> {
  const actor = `dashboard (${role})`;
  const node = 'node' in request ? request.node : null;
  const record = (message: string, outcome: 'ok' | 'error') =>
    source.observer.record('quorum:action', message, {
      action: request.action,
      node,
      by: actor,
      outcome,
    });
  try {
    let message: string;
    if (request.action === 'failover') {
      message = await failover(source);
    } else if (request.action === 'switchover') {
      message = await switchover(source);
    } else if (request.action === 'debug-sleep') {
      message = await debugSleep(source, request.node, request.seconds, (done) =>
        record(done, 'ok'),
      );
    } else {
      const controller = source.controller;
      if (!controller) {
        throw new ActionError(
          `'${source.name}' is not run by a local supervisor, so '${request.action}' is not available; it needs a deployment started with 'quorum up'`,
          409,
        );
      }
      try {
        message = await controller.act(request.action, request.node, actor);
      } catch (err) {
        const exitCode =
          err instanceof UserError || (err instanceof Error && 'exitCode' in err)
            ? (err as { exitCode: unknown }).exitCode
            : 1;
        throw new ActionError(
          err instanceof Error ? err.message : String(err),
          exitCode === 2 ? 404 : 409,
        );
      }
      // a supervisor in this process has already written the action to the shared event log
      if (controller.recordsActions) return message;
    }
    record(message, 'ok');
    return message;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    record(`${request.action}${node ? ` ${node}` : ''} failed: ${message}`, 'error');
    throw err instanceof ActionError ? err : new ActionError(message, 502);
  }
}

import type { Refusal } from '../model/index.js';
import { ServiceError, UserError } from '../model/index.js';
import type { Deployment } from '../deployment/index.js';
import { debugSleepNode, failoverDeployment, switchoverDeployment } from '../admin/index.js';
import type { ActionRequest, Role } from './contract.js';

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

/** A service's refusal as the HTTP status to answer. */
const STATUS_OF: Record<Refusal, ActionError['status']> = {
  'bad-request': 400,
  'not-found': 404,
  conflict: 409,
  unreachable: 502,
};

function answered(err: unknown): unknown {
  return err instanceof ServiceError ? new ActionError(err.message, STATUS_OF[err.refusal]) : err;
}

/** Runs a service call; its refusal becomes an ActionError with the matching status. */
export async function serve<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw answered(err);
  }
}

/** `serve` for a call that answers at once (starting a job on the desk). */
export function serveNow<T>(call: () => T): T {
  try {
    return call();
  } catch (err) {
    throw answered(err);
  }
}

/**
 * Runs one dashboard action and writes it to the event log with time, role and outcome.
 * Process actions need the local supervisor; the others work on any reachable deployment.
 */
export async function runAction(
  source: Deployment,
  request: ActionRequest,
  role: Role,
): Promise<{ message: string; warning: boolean }> {
  const actor = `dashboard (${role})`;
  const node = 'node' in request ? request.node : null;
  const record = (message: string, outcome: 'ok' | 'warning' | 'error') =>
    source.observer.record('quorum:action', message, {
      action: request.action,
      node,
      by: actor,
      outcome,
    });
  try {
    let message: string;
    let warning = false;
    if (request.action === 'failover') {
      message = await serve(() => failoverDeployment(source));
    } else if (request.action === 'switchover') {
      const result = await serve(() => switchoverDeployment(source));
      message = result.message;
      warning = result.unsaved !== null;
    } else if (request.action === 'debug-sleep') {
      const { node: addr, seconds } = request;
      message = await serve(() =>
        debugSleepNode(source, addr, seconds, (done) => record(done, 'ok')),
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
      if (controller.recordsActions) return { message, warning };
    }
    record(message, warning ? 'warning' : 'ok');
    return { message, warning };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    record(`${request.action}${node ? ` ${node}` : ''} failed: ${message}`, 'error');
    throw err instanceof ActionError ? err : new ActionError(message, 502);
  }
}

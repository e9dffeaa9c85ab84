import { formatAddr, parseAddr, UserError } from '../model/index.js';
import type { PlannedProcess } from './spec.js';

/**
 * Finds a process by name (`redis-1`), address (`127.0.0.1:6390`) or port (`6390`) (pure). An
 * unknown target is a usage error that lists the processes there are.
 */
export function findProcess<T extends { plan: PlannedProcess }>(
  processes: readonly T[],
  target: string,
): T {
  const hp = parseAddr(target);
  const found = processes.find(
    (p) =>
      p.plan.name === target ||
      String(p.plan.port) === target ||
      (hp !== null &&
        hp.port === p.plan.port &&
        formatAddr(p.plan.host, p.plan.port) === formatAddr(hp.host, hp.port)),
  );
  if (!found) {
    const known = processes
      .map((p) => `${p.plan.name} (${formatAddr(p.plan.host, p.plan.port)})`)
      .join(', ');
    throw new UserError(`no process '${target}' in this deployment; use one of: ${known}`, 2);
  }
  return found;
}

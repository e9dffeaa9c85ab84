import type { Addr } from '../model/index.js';
import { formatAddr } from '../model/index.js';
import type { LocalState, ProcessInfo } from '../local/index.js';
import { callControl, localAccess, observeTargetOf } from '../local/index.js';
import type { ObserveTarget } from '../observer/index.js';
import type { ProxyStats } from '../proxy/index.js';

/** How long a question to the local supervisor may take. */
const CONTROL_TIMEOUT_MS = 3000;

/** What the observer watches for the local deployment a state file in `dir` describes. */
export function localTarget(state: LocalState, dir: string): ObserveTarget {
  const { spec } = state;
  const addrs = (kind: 'redis' | 'sentinel'): Addr[] =>
    state.processes
      .filter((p) => p.kind === kind)
      .map((p) => formatAddr(p.host ?? spec.host, p.port));
  return observeTargetOf(
    spec,
    { nodes: addrs('redis'), sentinels: addrs('sentinel') },
    localAccess(spec, dir),
  );
}

/** The supervisor's process table, or none when no supervisor answers. */
export async function localProcesses(state: LocalState | null): Promise<ProcessInfo[]> {
  if (!state?.supervisor) return [];
  try {
    const answer = await callControl(
      state.supervisor.socket,
      { op: 'processes' },
      CONTROL_TIMEOUT_MS,
    );
    return answer.ok ? (answer.processes ?? []) : [];
  } catch {
    return [];
  }
}

/** The proxy the supervisor runs, with its figures; null when there is none or no answer. */
export async function localProxy(state: LocalState | null): Promise<ProxyStats | null> {
  if (!state?.supervisor || !state.proxy) return null;
  try {
    const answer = await callControl(state.supervisor.socket, { op: 'proxy' }, CONTROL_TIMEOUT_MS);
    return answer.ok ? (answer.proxy ?? null) : null;
  } catch {
    return null;
  }
}

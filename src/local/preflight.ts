import { readlinkSync } from 'node:fs';
import { UserError } from '../model/index.js';
import { findOnPath, missingBinaryMessage } from './binaries.js';
import { callControl } from './control-socket.js';
import type { Launch } from './process.js';
import type { LocalSpec } from './spec.js';
import { CLUSTER_BUS_OFFSET, planProcesses } from './spec.js';
import { specProblems } from './spec-problems.js';
import { firstTakenPort } from './ports.js';
import type { LocalState } from './state.js';
import { pidAlive, readState } from './state.js';
import { labUnavailable } from './lab.js';
import { opensslMissing } from './tls-files.js';

export interface Binaries {
  redisServer: Launch;
  redisSentinel: Launch;
}

/** Finds redis-server and redis-sentinel (and setpriv, optional); a missing one is a UserError. */
function findBinaries(): Binaries {
  const server = findOnPath('redis-server');
  if (!server) throw new UserError(missingBinaryMessage('redis-server'));
  const sentinel = findOnPath('redis-sentinel');
  if (!sentinel) throw new UserError(missingBinaryMessage('redis-sentinel'));
  const setpriv = findOnPath('setpriv');
  return { redisServer: { binary: server, setpriv }, redisSentinel: { binary: sentinel, setpriv } };
}

/** The supervisor running for `dir`, if one answers on its control socket. */
export async function runningSupervisor(
  state: LocalState | null,
): Promise<{ pid: number; status: string } | null> {
  if (!state?.supervisor || !pidAlive(state.supervisor.pid)) return null;
  try {
    const answer = await callControl(state.supervisor.socket, { op: 'ping' }, 3000);
    return answer.ok ? { pid: answer.pid, status: answer.status } : null;
  } catch {
    return null;
  }
}

/**
 * Stops processes a crashed supervisor left behind. A pid is only signalled when the process
 * still runs in that node's directory, so a reused pid is never touched. Returns how many.
 */
export async function stopLeftovers(state: LocalState): Promise<number> {
  let stopped = 0;
  for (const proc of state.processes) {
    if (proc.pid === null || !pidAlive(proc.pid)) continue;
    let cwd: string;
    try {
      cwd = readlinkSync(`/proc/${proc.pid}/cwd`);
    } catch {
      continue;
    }
    if (cwd !== proc.dir) continue;
    process.kill(proc.pid, 'SIGKILL');
    for (let i = 0; i < 50 && pidAlive(proc.pid); i++) await new Promise((r) => setTimeout(r, 100));
    stopped++;
  }
  return stopped;
}

/**
 * Everything checked before a start, each failure one sentence: the spec, the binaries, a
 * deployment already running in the same dir, and ports taken by something else.
 */
export async function preflight(dir: string, spec: LocalSpec): Promise<Binaries> {
  const problems = specProblems(spec);
  if (problems.length > 0) throw new UserError(problems.join('; '), 2);
  const binaries = findBinaries();
  const state = readState(dir);
  const running = await runningSupervisor(state);
  if (running) {
    throw new UserError(
      `a deployment is already running in ${dir} (supervisor pid ${running.pid}, ${running.status}); see it with 'quorum status --dir ${dir}' or stop it with 'quorum down --dir ${dir}'`,
    );
  }
  if (state) await stopLeftovers(state);
  if (spec.lab) {
    const why = labUnavailable();
    if (why) throw new UserError(why, 2);
  }
  if (spec.tls) {
    const why = opensslMissing();
    if (why) throw new UserError(why, 2);
  }
  // in a lab every process has a fresh namespace of its own: only the host's ports can be taken
  const plan = spec.lab ? [] : planProcesses(spec);
  const proxyPorts =
    spec.mode === 'sentinel' && spec.proxyPort !== null ? [spec.proxyPort, spec.proxyPort + 1] : [];
  // a cluster node also listens on its bus port (port + 10000)
  const busPorts = spec.mode === 'cluster' ? plan.map((p) => p.port + CLUSTER_BUS_OFFSET) : [];
  const taken = await firstTakenPort(spec.host, [
    ...plan.map((p) => p.port),
    ...busPorts,
    ...proxyPorts,
  ]);
  if (taken !== null && busPorts.includes(taken)) {
    const who = plan.find((p) => p.port + CLUSTER_BUS_OFFSET === taken);
    throw new UserError(
      `port ${taken} (the cluster bus port of ${who?.name ?? 'a node'}) is already in use on ${spec.host}; pick another range with --port`,
    );
  }
  if (taken !== null && proxyPorts.includes(taken)) {
    throw new UserError(
      `port ${String(taken)} (for the proxy) is already in use on ${spec.host}; pick others with --proxy-port, or run without one with --no-proxy`,
    );
  }
  if (taken !== null) {
    const who = plan.find((p) => p.port === taken);
    const flag = who?.kind === 'sentinel' ? '--sentinel-port' : '--port';
    throw new UserError(
      `port ${taken} (for ${who?.name ?? 'a process'}) is already in use on ${spec.host}; pick another range with ${flag}`,
    );
  }
  return binaries;
}

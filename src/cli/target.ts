import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { SentinelTopology, Topology } from '../model/index.js';
import { parseAddrList, UserError } from '../model/index.js';
import type { LocalState } from '../local/index.js';
import { readState } from '../local/index.js';
import type { ObserveTarget } from '../observer/index.js';
import { Observer } from '../observer/index.js';
import type { Access } from '../redis/index.js';
import { monitoredMasters, RedisLink } from '../redis/index.js';
import { localTarget } from '../deployment/index.js';

export { localProcesses, localProxy } from '../deployment/index.js';
import type { AccessFlags } from './access-flags.js';
import { accessFlags, accessOfFlags, nodeAccessFlags, unusedAccessFlags } from './access-flags.js';
import { insecureWarning } from './access-input.js';
import { intOption } from './errors.js';

/** `--insecure` beyond this host is said on every start. */
function warnInsecure(access: Access, addrs: string[]): void {
  const warning = insecureWarning(access, addrs);
  if (warning) process.stderr.write(`${warning}\n`);
}

/** Options shared by commands that observe a deployment. */
export interface TargetOptions extends AccessFlags {
  dir: string;
  sentinel?: string;
  cluster?: string;
  masterName?: string;
  timeout: number;
}

/** The flags of a command that works on the local deployment or attaches with --sentinel. */
export function targetOptions(command: Command): Command {
  command
    .option('--dir <dir>', 'data directory of a local deployment', '.quorum')
    .option('--sentinel <addrs>', 'attach instead: sentinel addresses, host:port[,host:port...]')
    .option(
      '--cluster <addrs>',
      'attach to a Redis Cluster instead: seed node addresses, host:port[,host:port...]',
    )
    .option('--master-name <name>', 'with --sentinel: the monitored master (default: the only one)')
    .option('--timeout <ms>', 'time allowed for each call', intOption(100, 60_000), 1000);
  return accessFlags(command).addHelpText(
    'after',
    '\nWith --sentinel or --cluster, the flags from --user on say how to reach the processes.\nPasswords come from environment variables; --password is for local use (argv is public).',
  );
}

/** The flags of a Redis Cluster command: the local deployment or --cluster, nothing of Sentinel. */
export function clusterTargetOptions(command: Command): Command {
  command
    .option('--dir <dir>', 'data directory of a local deployment', '.quorum')
    .option(
      '--cluster <addrs>',
      'attach to a Redis Cluster instead: seed node addresses, host:port[,host:port...]',
    )
    .option('--timeout <ms>', 'time allowed for each call', intOption(100, 60_000), 1000);
  return nodeAccessFlags(command).addHelpText(
    'after',
    '\nWith --cluster, the flags from --user on say how to reach the nodes.\nPasswords come from environment variables; --password is for local use (argv is public).',
  );
}

export interface ResolvedTarget {
  target: ObserveTarget;
  /** The local state, when the target is the deployment in --dir. */
  local: LocalState | null;
  /** The data dir, when the target is local. */
  dir: string | null;
}

/** The deployment to observe: the sentinels given with --sentinel, or the one in --dir. */
export async function resolveTarget(opts: TargetOptions): Promise<ResolvedTarget> {
  if (opts.cluster !== undefined) {
    if (opts.sentinel !== undefined)
      throw new UserError('--cluster and --sentinel name two deployments; pass one of them', 2);
    const unusedCluster = unusedAccessFlags(opts, 'cluster');
    if (unusedCluster) throw new UserError(unusedCluster, 2);
    const { addrs, invalid, tls } = parseAddrList(opts.cluster);
    if (invalid !== null || addrs.length === 0)
      throw new UserError(
        `--cluster '${invalid ?? opts.cluster}' is not a host:port address; pass e.g. --cluster 10.0.0.5:7000,10.0.0.6:7000`,
        2,
      );
    const { node } = accessOfFlags(opts, { node: tls, sentinel: false });
    warnInsecure(node, addrs);
    return {
      target: { kind: 'cluster', name: opts.masterName ?? 'cluster', nodes: addrs, access: node },
      local: null,
      dir: null,
    };
  }
  if (opts.sentinel !== undefined) {
    const { addrs, invalid, tls } = parseAddrList(opts.sentinel);
    if (invalid !== null)
      throw new UserError(
        `--sentinel '${invalid}' is not a host:port address; pass e.g. --sentinel 10.0.0.5:26379,10.0.0.6:26379`,
        2,
      );
    if (addrs.length === 0)
      throw new UserError('--sentinel names no address; pass e.g. --sentinel 10.0.0.5:26379', 2);
    const access = accessOfFlags(opts, { node: false, sentinel: tls });
    warnInsecure(access.sentinel, addrs);
    const masterName =
      opts.masterName ?? (await guessMasterName(addrs, access.sentinel, opts.timeout));
    return {
      target: {
        kind: 'sentinel',
        name: masterName,
        masterName,
        sentinels: addrs,
        nodes: [],
        access: access.node,
        sentinelAccess: access.sentinel,
      },
      local: null,
      dir: null,
    };
  }
  const unusedLocal = unusedAccessFlags(opts, 'local');
  if (unusedLocal) throw new UserError(unusedLocal, 2);
  const dir = resolve(opts.dir);
  const state = readState(dir);
  if (!state) {
    throw new UserError(
      `there is no quorum deployment in ${dir}; start one with 'quorum up --dir ${opts.dir}' or attach with --sentinel HOST:PORT --master-name NAME (a Redis Cluster: --cluster HOST:PORT)`,
    );
  }
  return {
    target: localTarget(state, dir),
    local: state,
    dir,
  };
}

/** With no --master-name: the one master the first reachable sentinel monitors. */
async function guessMasterName(
  addrs: string[],
  access: Access,
  timeoutMs: number,
): Promise<string> {
  for (const addr of addrs) {
    const link = new RedisLink(addr, { timeoutMs, access, connectionName: 'quorum-cli' });
    try {
      const names = await monitoredMasters(link);
      if (names.length === 1 && names[0]) return names[0];
      if (names.length > 1)
        throw new UserError(
          `${addr} monitors several masters (${names.join(', ')}); pick one with --master-name`,
          2,
        );
    } finally {
      await link.close();
    }
  }
  return 'mymaster';
}

/**
 * Observes once and checks that the target is there at all: when no sentinel gives a view, the
 * reasons become one sentence (wrong address, not Redis, wrong password, wrong master name).
 */
export async function observeOnce(
  resolved: ResolvedTarget,
  timeoutMs: number,
  subscribe = false,
): Promise<{ observer: Observer; topology: Topology }> {
  const observer = new Observer(resolved.target, { timeoutMs, subscribe });
  const topology = await observer.poll();
  if (topology.kind === 'cluster') {
    const views = topology.cluster.views;
    if (!views.some((v) => v.up)) {
      await observer.stop();
      const reasons = [...new Set(views.map((v) => v.downReason ?? `${v.addr} gave no answer`))];
      const local =
        resolved.dir !== null ? `; start it with 'quorum up --dir ${resolved.dir}'` : '';
      throw new UserError(`no cluster node answers: ${reasons.join('; ')}${local}`);
    }
    return { observer, topology };
  }
  if (!topology.sentinels.some((s) => s.up)) {
    await observer.stop();
    throw await noSentinelError(resolved, topology);
  }
  return { observer, topology };
}

async function noSentinelError(
  resolved: ResolvedTarget,
  topology: SentinelTopology,
): Promise<UserError> {
  const reasons = [
    ...new Set(topology.sentinels.map((s) => s.downReason ?? `${s.addr} gave no answer`)),
  ];
  if (resolved.dir !== null) {
    const stopped = resolved.local?.status === 'stopped' || resolved.local?.status === 'failed';
    const how = stopped ? 'it is stopped' : `no sentinel answers (${reasons.join('; ')})`;
    return new UserError(
      `the deployment in ${resolved.dir} cannot be observed: ${how}; start it with 'quorum up --dir ${resolved.dir}'`,
    );
  }
  const wrongName = reasons.some((r) => r.includes('does not monitor a master named'));
  if (wrongName && resolved.target.kind === 'sentinel') {
    const known: string[] = [];
    for (const addr of resolved.target.sentinels) {
      const link = new RedisLink(addr, {
        timeoutMs: 1000,
        access: resolved.target.sentinelAccess,
        connectionName: 'quorum-cli',
      });
      known.push(...(await monitoredMasters(link)));
      await link.close();
    }
    const names = [...new Set(known)];
    return new UserError(
      `no sentinel monitors a master named '${resolved.target.masterName}'${names.length > 0 ? `; they monitor: ${names.join(', ')}` : ''}; pass the right --master-name`,
    );
  }
  return new UserError(`cannot observe the deployment: ${reasons.join('; ')}; check --sentinel`);
}

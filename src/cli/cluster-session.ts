import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { Addr } from '../model/index.js';
import { formatAddr, UserError } from '../model/index.js';
import { CLUSTER_CALL_TIMEOUT_MS, ClusterLinks } from '../cluster/index.js';
import { RedisCallError } from '../redis/index.js';
import type { ResolvedTarget, TargetOptions } from './target.js';
import { clusterTargetOptions, resolveTarget } from './target.js';

export interface ClusterOptions extends TargetOptions {
  json?: boolean;
}

/** A cluster to administer: the links, the seeds to read it from and the local process names. */
export interface Session {
  resolved: ResolvedTarget;
  links: ClusterLinks;
  seeds: Addr[];
  names: Map<string, Addr>;
}

async function open(opts: ClusterOptions): Promise<Session> {
  const resolved = await resolveTarget(opts);
  if (resolved.target.kind !== 'cluster') {
    throw new UserError(
      resolved.dir === null
        ? 'quorum cluster administers a Redis Cluster; attach with --cluster HOST:PORT instead of --sentinel'
        : `the deployment in ${resolved.dir} is a Sentinel deployment, not a Redis Cluster; start one with 'quorum up --mode cluster'`,
      2,
    );
  }
  // the state file lists every process, nodes added since `up` included
  const names = new Map<string, Addr>();
  const local = resolved.local;
  for (const p of local?.processes ?? [])
    if (p.kind === 'redis') names.set(p.name, formatAddr(p.host ?? local?.spec.host ?? '', p.port));
  const links = new ClusterLinks(resolved.target.access, opts.timeout);
  return { resolved, links, seeds: resolved.target.nodes, names };
}

/** Runs `work` on the cluster, closing every connection after; Redis errors become sentences. */
export async function withCluster<T>(
  opts: ClusterOptions,
  work: (session: Session) => Promise<T>,
): Promise<T> {
  const session = await open(opts);
  try {
    return await work(session);
  } catch (err) {
    if (err instanceof RedisCallError) throw new UserError(err.message);
    throw err;
  } finally {
    await session.links.close();
  }
}

export function print(opts: { json?: boolean }, json: unknown, text: string): void {
  process.stdout.write(opts.json === true ? JSON.stringify(json, null, 2) + '\n' : `${text}\n`);
}

export function reportFix(sentence: string): void {
  process.stderr.write(`fixed: ${sentence}\n`);
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

/**
 * What every command that changes a cluster's shape does before it does: with --yes, nothing;
 * on a terminal, asks `question` ("move 100 slots from redis-1 to redis-2?"); elsewhere refuses,
 * naming --yes. Throws when not approved.
 */
export async function approve(
  yes: boolean | undefined,
  question: string,
  none: string,
): Promise<void> {
  if (yes === true) return;
  if (!process.stdin.isTTY)
    throw new UserError(`this would ${question.slice(0, -1)}; pass --yes to go ahead`, 2);
  if (!(await confirm(question))) throw new UserError(none);
}

export function collectWeight(value: string, previous: Map<string, number>): Map<string, number> {
  const at = value.lastIndexOf('=');
  const weight = Number(value.slice(at + 1));
  if (at <= 0 || value.slice(at + 1).trim() === '' || !Number.isFinite(weight) || weight < 0)
    throw new InvalidArgumentError('expected NODE=WEIGHT, e.g. redis-4=0 or 127.0.0.1:7003=2.');
  return new Map([...previous, [value.slice(0, at), weight]]);
}

export function sub(parent: Command, name: string, description: string): Command {
  const command = clusterTargetOptions(parent.command(name).description(description)).option(
    '--json',
    'print the result as JSON',
  );
  // changing a cluster (SETSLOT, FORGET, REPLICATE) allows each call more than reading it does;
  // an explicit --timeout is honoured as given
  command.options.find((o) => o.long === '--timeout')?.default(CLUSTER_CALL_TIMEOUT_MS);
  return command.setOptionValueWithSource('timeout', CLUSTER_CALL_TIMEOUT_MS, 'default');
}

/** The flags a command printed for the user needs to reach the same cluster. */
export function targetFlags(opts: ClusterOptions): string {
  if (opts.cluster !== undefined) return ` --cluster ${opts.cluster}`;
  return opts.dir === '.quorum' ? '' : ` --dir ${opts.dir}`;
}

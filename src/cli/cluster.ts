import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { Addr } from '../model/index.js';
import { formatAddr, hashTag, keySlot, shardOfSlot, UserError } from '../model/index.js';
import {
  addNode,
  CLUSTER_CALL_TIMEOUT_MS,
  checkCluster,
  ClusterLinks,
  clusterFailover,
  delNode,
  fixOpenSlots,
  masterNamed,
  readCluster,
  rebalance,
  reshard,
  ReshardCancelled,
} from '../cluster/index.js';
import { callControl, controlClient, NODE_ACTION_TIMEOUT_MS } from '../local/index.js';
import { RedisCallError } from '../redis/index.js';
import {
  clusterInfoJson,
  formatCheck,
  formatClusterInfo,
  formatKeyslots,
  moveProgress,
  rate,
  seconds,
} from './cluster-format.js';
import { intOption } from './errors.js';
import type { ResolvedTarget, TargetOptions } from './target.js';
import { resolveTarget, targetOptions } from './target.js';

interface ClusterOptions extends TargetOptions {
  json?: boolean;
}

/** A cluster to administer: the links, the seeds to read it from and the local process names. */
interface Session {
  resolved: ResolvedTarget;
  links: ClusterLinks;
  seeds: Addr[];
  names: Map<string, Addr>;
}

async function open(opts: ClusterOptions): Promise<Session> {
  const resolved = await resolveTarget(opts);
  if (resolved.target.mode !== 'cluster') {
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
  const links = new ClusterLinks(resolved.target.password, opts.timeout);
  return { resolved, links, seeds: resolved.target.nodes, names };
}

/** Runs `work` on the cluster, closing every connection after; Redis errors become sentences. */
async function withCluster<T>(
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

function print(opts: { json?: boolean }, json: unknown, text: string): void {
  process.stdout.write(opts.json === true ? JSON.stringify(json, null, 2) + '\n' : `${text}\n`);
}

function reportFix(sentence: string): void {
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

function collectWeight(value: string, previous: Map<string, number>): Map<string, number> {
  const at = value.lastIndexOf('=');
  const weight = Number(value.slice(at + 1));
  if (at <= 0 || value.slice(at + 1).trim() === '' || !Number.isFinite(weight) || weight < 0)
    throw new InvalidArgumentError('expected NODE=WEIGHT, e.g. redis-4=0 or 127.0.0.1:7003=2.');
  return new Map([...previous, [value.slice(0, at), weight]]);
}

function sub(parent: Command, name: string, description: string): Command {
  const command = targetOptions(parent.command(name).description(description)).option(
    '--json',
    'print the result as JSON',
  );
  // changing a cluster (SETSLOT, FORGET, REPLICATE) allows each call more than reading it does;
  // an explicit --timeout is honoured as given
  command.options.find((o) => o.long === '--timeout')?.default(CLUSTER_CALL_TIMEOUT_MS);
  return command.setOptionValueWithSource('timeout', CLUSTER_CALL_TIMEOUT_MS, 'default');
}

/** The flags a command printed for the user needs to reach the same cluster. */
function targetFlags(opts: ClusterOptions): string {
  if (opts.cluster !== undefined) return ` --cluster ${opts.cluster}`;
  return opts.dir === '.quorum' ? '' : ` --dir ${opts.dir}`;
}

export function registerCluster(program: Command): void {
  const cluster = program
    .command('cluster')
    .description(
      'administer a Redis Cluster: check, reshard, rebalance, fail over, add and remove nodes',
    );

  sub(
    cluster,
    'check',
    'like redis-cli --cluster check: slot coverage, agreement, open slots, failing nodes; exit 1 on problems',
  )
    .option('--fix', 'first finish every move an interruption left open (MIGRATING/IMPORTING)')
    .action(async (opts: ClusterOptions & { fix?: boolean }) => {
      await withCluster(opts, async ({ links, seeds }) => {
        const fixed = opts.fix === true ? await fixOpenSlots(links, seeds) : [];
        const check = await checkCluster(links, seeds);
        const { state } = check;
        print(
          opts,
          {
            ok: check.ok,
            problems: check.problems,
            warnings: check.warnings,
            fixed,
            cluster: {
              state: state.state,
              slotsCovered: state.slotsCovered,
              shards: state.shards,
              moves: state.moves,
            },
          },
          formatCheck(check, fixed),
        );
        process.exitCode = check.ok ? 0 : 1;
      });
    });

  sub(cluster, 'info', 'CLUSTER INFO of every node as a table, and the shards').action(
    async (opts: ClusterOptions) => {
      await withCluster(opts, async ({ links, seeds, names }) => {
        const { state } = await readCluster(links, seeds);
        const infos = await Promise.all(
          state.views.map(async (v) => ({
            addr: v.addr,
            text: v.up ? await links.call(v.addr, 'CLUSTER', 'INFO').catch(() => null) : null,
          })),
        );
        const json = clusterInfoJson(state, infos, names);
        print(opts, json, formatClusterInfo(state, json.nodes));
      });
    },
  );

  cluster
    .command('keyslot')
    .description("each key's slot and hash tag, and the master owning it (the slot works offline)")
    .argument('<keys...>', 'keys, e.g. user:1 {user1}.following')
    .option('--dir <dir>', 'data directory of a local deployment', '.quorum')
    .option('--cluster <addrs>', 'seed node addresses, host:port[,host:port...]')
    .option('--password <password>', 'node password (or QUORUM_PASSWORD)')
    .option(
      '--timeout <ms>',
      'time allowed for each call reading the owners',
      intOption(100, 60_000),
      1000,
    )
    .option('--json', 'print the result as JSON')
    .action(async (keys: string[], opts: ClusterOptions) => {
      let owners: ((slot: number) => Addr | null) | null = null;
      let offline: string | null = null;
      try {
        owners = await withCluster(opts, async ({ links, seeds }) => {
          const { state } = await readCluster(links, seeds);
          return (slot: number) => shardOfSlot(state, slot)?.master ?? null;
        });
      } catch (err) {
        offline = err instanceof Error ? err.message : String(err);
      }
      const rows = keys.map((key) => {
        const bytes = new TextEncoder().encode(key);
        const tag = hashTag(bytes);
        const slot = keySlot(bytes);
        return {
          key,
          slot,
          hashTag: tag.length === bytes.length ? null : new TextDecoder().decode(tag),
          master: owners ? owners(slot) : null,
        };
      });
      if (offline !== null && opts.json !== true)
        process.stderr.write(`quorum: owners unknown (${offline})\n`);
      print(opts, { keys: rows, offline }, formatKeyslots(rows, owners !== null));
    });

  sub(cluster, 'failover', 'promote a replica with CLUSTER FAILOVER and wait until it is master')
    .argument('<node>', 'the replica: name (redis-4), host:port, node id or id prefix')
    .option('--force', 'CLUSTER FAILOVER FORCE: without the master (when it is down)')
    .option('--takeover', 'CLUSTER FAILOVER TAKEOVER: without the master nor a vote of the masters')
    .action(
      async (node: string, opts: ClusterOptions & { force?: boolean; takeover?: boolean }) => {
        if (opts.force === true && opts.takeover === true)
          throw new UserError('--force and --takeover are two modes; pass one of them', 2);
        const mode =
          opts.force === true ? 'force' : opts.takeover === true ? 'takeover' : 'default';
        await withCluster(opts, async ({ links, seeds, names }) => {
          const r = await clusterFailover(links, seeds, node, { mode, names });
          print(opts, r, `${r.replica} replaced ${r.oldMaster} as master in ${seconds(r.ms)}`);
        });
      },
    );

  sub(cluster, 'add-node', 'join an empty cluster-enabled node, as an empty master or a replica')
    .argument('[addr]', 'the node, host:port; without it a local deployment starts one')
    .option('--replica-of <node>', 'make it a replica of this master')
    .action(async (addr: string | undefined, opts: ClusterOptions & { replicaOf?: string }) => {
      await withCluster(opts, async ({ resolved, links, seeds, names }) => {
        let name: string | null = null;
        let joining = addr;
        const supervisor = resolved.local?.supervisor;
        if (joining === undefined) {
          if (!supervisor)
            throw new UserError(
              resolved.dir === null
                ? 'pass the address of an empty cluster-enabled node; quorum starts one itself only for a local deployment (--dir)'
                : `no supervisor runs in ${resolved.dir}; start the deployment with 'quorum up --dir ${resolved.dir}'`,
              2,
            );
          // a wrong --replica-of is refused before a process starts for nothing
          if (opts.replicaOf !== undefined)
            masterNamed(
              (await readCluster(links, seeds)).state,
              opts.replicaOf,
              names,
              'the node to replicate',
            );
          const answer = await callControl(
            supervisor.socket,
            { op: 'add-node' },
            NODE_ACTION_TIMEOUT_MS,
          );
          if (!answer.ok) throw new UserError(answer.error, answer.exitCode ?? 1);
          const added = 'added' in answer ? answer.added : undefined;
          if (!added) throw new UserError('the supervisor started no node');
          names.set(added.name, added.addr);
          ({ name, addr: joining } = added);
          if (opts.json !== true) process.stderr.write(`started ${added.name} (${added.addr})\n`);
        }
        let r: Awaited<ReturnType<typeof addNode>>;
        try {
          r = await addNode(links, seeds, joining, { replicaOf: opts.replicaOf ?? null, names });
        } catch (err) {
          // the node quorum started did not join: stop it, so no outsider is left running
          if (name !== null && supervisor)
            await controlClient(supervisor.socket)
              .removeNode(name, 'cli')
              .catch(() => undefined);
          throw err;
        }
        const who = name === null ? r.addr : `${name} (${r.addr})`;
        print(
          opts,
          { ...r, name },
          r.role === 'replica'
            ? `${who} joined as a replica of ${opts.replicaOf ?? ''}`
            : `${who} joined as an empty master; give it slots with 'quorum cluster rebalance --use-empty-masters'`,
        );
      });
    });

  sub(
    cluster,
    'reshard',
    'move slots, keys and all, from one master to another while clients keep writing',
  )
    .requiredOption('--from <node>', 'the master giving slots')
    .requiredOption('--to <node>', 'the master taking them')
    .requiredOption(
      '--slots <n>',
      'how many slots (the lowest the source owns)',
      intOption(1, 16384),
    )
    .option('--batch <keys>', 'keys per MIGRATE', intOption(1, 10_000), 100)
    .option('--yes', 'do not ask')
    .action(
      async (
        opts: ClusterOptions & {
          from: string;
          to: string;
          slots: number;
          batch: number;
          yes?: boolean;
        },
      ) => {
        if (opts.yes !== true) {
          const question = `move ${opts.slots} slots from ${opts.from} to ${opts.to}?`;
          if (!process.stdin.isTTY)
            throw new UserError(`this would ${question.slice(0, -1)}; pass --yes to go ahead`, 2);
          if (!(await confirm(question))) throw new UserError('nothing moved');
        }
        await withCluster(opts, async ({ links, seeds, names }) => {
          const progress = moveProgress();
          try {
            const r = await reshard(links, seeds, {
              from: opts.from,
              to: opts.to,
              slots: opts.slots,
              names,
              batch: opts.batch,
              fixed: reportFix,
              signal: progress.signal,
              progress: (p) => progress.update(p),
            }).catch((err: unknown) => {
              if (!(err instanceof ReshardCancelled)) throw err;
              progress.end();
              if (opts.json === true)
                process.stdout.write(
                  `${JSON.stringify({ ...err.result, cancelled: true }, null, 2)}\n`,
                );
              throw new ReshardCancelled(err.result, targetFlags(opts));
            });
            progress.end();
            const line = `moved ${r.slotsMoved} slots and ${r.keysMoved} keys from ${r.from} to ${r.to} in ${seconds(r.ms)} (${rate(r.slotsMoved, r.ms)} slots/s, ${rate(r.keysMoved, r.ms)} keys/s)`;
            if (opts.json === true) process.stderr.write(`${line}\n`);
            print(opts, r, line);
          } finally {
            progress.end();
          }
        });
      },
    );

  sub(cluster, 'rebalance', 'even out the slots across masters, like redis-cli --cluster rebalance')
    .option('--use-empty-masters', 'give slots to masters that own none (a node just added)')
    .option(
      '--weight <node=weight>',
      "a master's share relative to the others (0 empties it); repeatable",
      collectWeight,
      new Map<string, number>(),
    )
    .action(
      async (opts: ClusterOptions & { useEmptyMasters?: boolean; weight: Map<string, number> }) => {
        await withCluster(opts, async ({ links, seeds, names }) => {
          const progress = moveProgress();
          try {
            const r = await rebalance(links, seeds, {
              useEmptyMasters: opts.useEmptyMasters === true,
              weights: opts.weight,
              names,
              fixed: reportFix,
              signal: progress.signal,
              progress: (p) => progress.update(p, ` (${p.from} -> ${p.to})`),
            });
            progress.end();
            const slots = r.moves.reduce((sum, m) => sum + m.slots, 0);
            const line =
              r.moves.length === 0
                ? 'every master holds its share of the slots already; nothing moved'
                : `moved ${slots} slots and ${r.keysMoved} keys in ${r.moves.length} move${r.moves.length === 1 ? '' : 's'} (${r.moves.map((m) => `${m.slots} ${m.from} -> ${m.to}`).join(', ')}) in ${seconds(r.ms)} (${rate(slots, r.ms)} slots/s)`;
            if (opts.json === true) process.stderr.write(`${line}\n`);
            print(opts, r, line);
          } finally {
            progress.end();
          }
        });
      },
    );

  sub(
    cluster,
    'del-node',
    'remove a node that owns no slots: CLUSTER FORGET everywhere, CLUSTER RESET on it',
  )
    .argument('<node>', 'name (redis-7), host:port, node id or id prefix')
    .action(async (node: string, opts: ClusterOptions) => {
      await withCluster(opts, async ({ resolved, links, seeds, names }) => {
        const r = await delNode(links, seeds, node, { names });
        const name = [...names].find(([, a]) => a === r.addr)?.[0] ?? null;
        // quorum's own process: stopped and kept out of later starts, as redis-cli shuts it down
        const supervisor = resolved.local?.supervisor;
        const stopped =
          name && supervisor
            ? await controlClient(supervisor.socket).removeNode(name, 'cli')
            : null;
        if (r.resetError !== null && stopped === null) {
          if (opts.json === true)
            process.stdout.write(`${JSON.stringify({ ...r, name, stopped: false }, null, 2)}\n`);
          throw new UserError(
            `${r.addr} left the cluster (every node forgot it), but CLUSTER RESET HARD on it failed (${r.resetError}), so it still believes it is a member; run CLUSTER RESET HARD on it, or stop it`,
          );
        }
        print(
          opts,
          { ...r, name, stopped: stopped !== null },
          `${r.addr} left the cluster${stopped ? `; ${stopped}` : ''}`,
        );
      });
    });

  for (const command of cluster.commands) command.exitOverride();
}

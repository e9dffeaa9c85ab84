import type { Command } from 'commander';
import type { Addr } from '../model/index.js';
import { hashTag, keySlot, shardOfSlot, UserError } from '../model/index.js';
import { checkCluster, clusterFailover, fixOpenSlots, readCluster } from '../cluster/index.js';
import {
  clusterInfoJson,
  formatCheck,
  formatClusterInfo,
  formatKeyslots,
  seconds,
} from './cluster-format.js';
import { intOption } from './errors.js';
import { registerClusterMoves } from './cluster-moves.js';
import { registerAddNode, registerDelNode } from './cluster-nodes.js';
import type { ClusterOptions } from './cluster-session.js';
import { print, sub, withCluster } from './cluster-session.js';
import { nodeAccessFlags } from './access-flags.js';

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

  nodeAccessFlags(cluster.command('keyslot'))
    .description("each key's slot and hash tag, and the master owning it (the slot works offline)")
    .argument('<keys...>', 'keys, e.g. user:1 {user1}.following')
    .option('--dir <dir>', 'data directory of a local deployment', '.quorum')
    .option('--cluster <addrs>', 'seed node addresses, host:port[,host:port...]')
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

  // in the order `--help` lists them
  registerAddNode(cluster);
  registerClusterMoves(cluster);
  registerDelNode(cluster);

  for (const command of cluster.commands) command.exitOverride();
}

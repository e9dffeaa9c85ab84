import type { Command } from 'commander';
import { Option } from 'commander';
import { rebalance, reshard, ReshardCancelled } from '../cluster/index.js';
import { moveProgress, rate, seconds } from './cluster-format.js';
import { intOption } from './errors.js';
import type { ClusterOptions } from './cluster-session.js';
import {
  approve,
  collectWeight,
  print,
  reportFix,
  sub,
  targetFlags,
  withCluster,
} from './cluster-session.js';

/** `quorum cluster reshard` and `rebalance`: slots moving, keys and all, progress on stderr. */
export function registerClusterMoves(cluster: Command): void {
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
        await approve(
          opts.yes,
          `move ${opts.slots} slots from ${opts.from} to ${opts.to}?`,
          'nothing moved',
        );
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
    .addOption(
      new Option(
        '--weight <node=weight>',
        "a master's share relative to the others (0 empties it); repeatable",
      )
        .argParser(collectWeight)
        .default(new Map<string, number>(), 'each master 1'),
    )
    .option('--yes', 'do not ask')
    .action(
      async (
        opts: ClusterOptions & {
          useEmptyMasters?: boolean;
          weight: Map<string, number>;
          yes?: boolean;
        },
      ) => {
        await withCluster(opts, async ({ links, seeds, names }) => {
          const progress = moveProgress();
          try {
            const r = await rebalance(links, seeds, {
              useEmptyMasters: opts.useEmptyMasters === true,
              weights: opts.weight,
              names,
              approve: async (moves, openSlots) => {
                const slots = moves.reduce((sum, m) => sum + m.slots, 0);
                const list = moves.map((m) => `${m.slots} ${m.from} -> ${m.to}`).join(', ');
                const close =
                  openSlots > 0
                    ? `close ${openSlots} slot${openSlots === 1 ? '' : 's'} an interrupted move left open, then `
                    : '';
                await approve(
                  opts.yes,
                  `${close}move ${slots} slots${list ? ` (${list})` : ''}?`,
                  'nothing moved',
                );
              },
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
}

import { resolve } from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../model/index.js';
import { controlClient, readState, runningSupervisor } from '../local/index.js';
import type { NetworkFault } from '../faults/index.js';
import { describeFault, labTopology, NetworkFaults } from '../faults/index.js';

interface FaultOptions {
  dir: string;
  json?: boolean;
  replace?: boolean;
}

/** The network faults of the lab deployment in `--dir`; one sentence when there is none. */
async function faultsOf(opts: FaultOptions) {
  const dir = resolve(opts.dir);
  const state = readState(dir);
  if (!state)
    throw new UserError(
      `there is no deployment in ${opts.dir}; start one with 'quorum up --network lab'`,
    );
  const lab = labTopology(state.spec);
  if (!lab)
    throw new UserError(
      `the deployment in ${opts.dir} runs on loopback, where links cannot be cut; start it with 'quorum up --network lab' (a new --dir)`,
      2,
    );
  if (!(await runningSupervisor(state)) || !state.supervisor)
    throw new UserError(
      `the deployment in ${opts.dir} is not running; start it with 'quorum up --dir ${opts.dir}'`,
    );
  return {
    faults: new NetworkFaults(dir, lab),
    controller: controlClient(state.supervisor.socket),
  };
}

/** `redis-1,sentinel-1 | redis-2,redis-3` or separate arguments: groups of comma-separated names (pure). */
export function parseGroups(words: string[]): string[][] {
  return words
    .join(' ')
    .split(/\s*\|\s*|\s+/)
    .filter((g) => g !== '')
    .map((g) => g.split(',').filter((n) => n !== ''));
}

function positiveInt(what: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UserError(`${what} '${text}' must be a whole number from ${min} to ${max}`, 2);
  return n;
}

export function registerFault(program: Command): void {
  const fault = program
    .command('fault')
    .description(
      'cut or slow the network between the members of a lab deployment (up --network lab)',
    );
  const common = (c: Command) =>
    c
      .option('--dir <dir>', 'data directory', '.quorum')
      .option('--json', 'print the result as JSON');
  const inject = async (opts: FaultOptions, what: NetworkFault) => {
    const { faults, controller } = await faultsOf(opts);
    const said = faults.inject(what, opts.replace === true);
    await controller
      .record('quorum:fault-injected', `network: ${said}`, { network: JSON.stringify(what) })
      .catch(() => undefined);
    process.stdout.write(
      opts.json === true ? `${JSON.stringify({ injected: what, message: said })}\n` : `${said}\n`,
    );
  };
  common(
    fault
      .command('partition')
      .description(
        "drop traffic between groups, both ways: 'redis-1,sentinel-1,client-1 | redis-2,redis-3,sentinel-2,sentinel-3'",
      )
      .argument(
        '<groups...>',
        'two or more groups of comma-separated members, apart by | or spaces',
      )
      .option('--replace', 'heal the active cut first'),
  ).action(async (words: string[], opts: FaultOptions) => {
    const groups = parseGroups(words);
    if (groups.length < 2)
      throw new UserError(
        'a partition needs at least two groups, e.g. redis-1,sentinel-1 | redis-2,redis-3',
        2,
      );
    await inject(opts, { kind: 'partition', groups });
  });
  common(
    fault
      .command('one-way')
      .description('FROM cannot reach TO; TO still reaches FROM')
      .argument('<from>', 'comma-separated members')
      .argument('<to>', 'comma-separated members')
      .option('--replace', 'heal the active cut first'),
  ).action(async (from: string, to: string, opts: FaultOptions) => {
    await inject(opts, { kind: 'one-way', from: from.split(','), to: to.split(',') });
  });
  common(
    fault
      .command('isolate')
      .description('cut one member from everything, quorum included')
      .argument('<member>')
      .option('--replace', 'heal the active cut first'),
  ).action(async (member: string, opts: FaultOptions) => {
    await inject(opts, { kind: 'isolate', member });
  });
  common(
    fault
      .command('loss')
      .description('drop a share of the packets in and out of a member')
      .argument('<member>')
      .argument('<percent>'),
  ).action(async (member: string, percent: string, opts: FaultOptions) => {
    await inject(opts, {
      kind: 'loss',
      member,
      percent: positiveInt('the loss percent', percent, 1, 100),
    });
  });
  common(
    fault
      .command('bandwidth')
      .description("limit a member's link, both ways")
      .argument('<member>')
      .argument('<kbit>', 'kbit/s'),
  ).action(async (member: string, kbit: string, opts: FaultOptions) => {
    await inject(opts, {
      kind: 'bandwidth',
      member,
      kbit: positiveInt('the rate', kbit, 8, 10_000_000),
    });
  });
  common(
    fault
      .command('latency')
      .description("delay a member's packets (tc netem; refused where the kernel lacks it)")
      .argument('<member>')
      .argument('<ms>')
      .option('--jitter <ms>', 'random variation', '0'),
  ).action(async (member: string, ms: string, opts: FaultOptions & { jitter: string }) => {
    await inject(opts, {
      kind: 'latency',
      member,
      delayMs: positiveInt('the delay', ms, 1, 60_000),
      jitterMs: positiveInt('the jitter', opts.jitter, 0, 60_000),
    });
  });
  common(fault.command('heal').description('remove every network fault')).action(
    async (opts: FaultOptions) => {
      const { faults, controller } = await faultsOf(opts);
      const had = faults.active();
      const said = faults.heal();
      if (had.length > 0)
        await controller
          .record('quorum:fault-healed', `network: ${said}`, {})
          .catch(() => undefined);
      process.stdout.write(
        opts.json === true ? `${JSON.stringify({ healed: had, message: said })}\n` : `${said}\n`,
      );
    },
  );
  common(fault.command('list').description('the active network faults')).action(
    async (opts: FaultOptions) => {
      const { faults } = await faultsOf(opts);
      const active = faults.active();
      if (opts.json === true) process.stdout.write(`${JSON.stringify({ active })}\n`);
      else
        process.stdout.write(
          active.length === 0
            ? 'no network fault is active\n'
            : `${active.map((f) => describeFault(f)).join('\n')}\n`,
        );
    },
  );
}

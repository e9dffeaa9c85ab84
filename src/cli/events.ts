import { join, resolve } from 'node:path';
import { existsSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import type { QuorumEvent } from '../model/index.js';
import { UserError } from '../model/index.js';
import { EventLog } from '../observer/index.js';
import { intOption } from './errors.js';
import { formatEvent } from './format.js';

interface EventsOptions {
  dir: string;
  type?: string;
  last?: number;
  json?: boolean;
  follow?: boolean;
}

/** How often `--follow` looks at the log for new lines. */
const FOLLOW_POLL_MS = 500;

/** Prints `first`, then every event written later, until SIGINT or SIGTERM. */
async function follow(
  path: string,
  first: QuorumEvent[],
  wanted: (e: QuorumEvent) => boolean,
  json: boolean,
): Promise<void> {
  const print = (e: QuorumEvent) =>
    process.stdout.write(`${json ? JSON.stringify(e) : formatEvent(e)}\n`);
  const seen = new Set<string>();
  for (const e of new EventLog(path).read()) seen.add(e.id);
  first.forEach(print);
  let size = existsSync(path) ? statSync(path).size : 0;
  const timer = setInterval(() => {
    const now = existsSync(path) ? statSync(path).size : 0;
    if (now === size) return;
    size = now;
    for (const e of new EventLog(path).read()) {
      if (seen.has(e.id)) continue;
      seen.add(e.id);
      if (wanted(e)) print(e);
    }
  }, FOLLOW_POLL_MS);
  await new Promise<void>((done) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => done());
  });
  clearInterval(timer);
}

export function registerEvents(program: Command): void {
  program
    .command('events')
    .description(
      "print the stored event log of the local deployment (Sentinel events and quorum's own)",
    )
    .option('--dir <dir>', 'data directory', '.quorum')
    .option(
      '--type <prefix>',
      'only events whose type starts with this (e.g. +switch-master, quorum:)',
    )
    .option('--last <n>', 'only the last n events', intOption(1, 1_000_000))
    .option('--json', 'print a JSON array (with --follow: one event per line)')
    .option('-f, --follow', 'keep printing events as they are written (Ctrl-C to stop)')
    .action(async (opts: EventsOptions) => {
      const dir = resolve(opts.dir);
      if (!existsSync(join(dir, 'state.json')) && !existsSync(join(dir, 'events.jsonl'))) {
        throw new UserError(
          `there is no quorum deployment in ${opts.dir}; start one with 'quorum up --dir ${opts.dir}'`,
        );
      }
      const path = join(dir, 'events.jsonl');
      const wanted = (e: QuorumEvent) => opts.type === undefined || e.type.startsWith(opts.type);
      let events = new EventLog(path).read().filter(wanted);
      if (opts.last !== undefined) events = events.slice(-opts.last);
      if (opts.follow === true) {
        await follow(path, events, wanted, opts.json === true);
        return;
      }
      if (opts.json === true) {
        process.stdout.write(JSON.stringify(events, null, 2) + '\n');
        return;
      }
      if (events.length === 0) process.stdout.write('no events\n');
      for (const event of events) process.stdout.write(formatEvent(event) + '\n');
    });
}

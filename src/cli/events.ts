import { join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { UserError } from '../model/index.js';
import { EventLog } from '../observer/index.js';
import { intOption } from './errors.js';
import { formatEvent } from './format.js';

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
    .option('--json', 'print a JSON array')
    .action((opts: { dir: string; type?: string; last?: number; json?: boolean }) => {
      const dir = resolve(opts.dir);
      if (!existsSync(join(dir, 'state.json')) && !existsSync(join(dir, 'events.jsonl'))) {
        throw new UserError(
          `there is no quorum deployment in ${opts.dir}; start one with 'quorum up --dir ${opts.dir}'`,
        );
      }
      let events = new EventLog(join(dir, 'events.jsonl')).read();
      if (opts.type !== undefined) {
        const prefix = opts.type;
        events = events.filter((e) => e.type.startsWith(prefix));
      }
      if (opts.last !== undefined) events = events.slice(-opts.last);
      if (opts.json === true) {
        process.stdout.write(JSON.stringify(events, null, 2) + '\n');
        return;
      }
      if (events.length === 0) process.stdout.write('no events\n');
      for (const event of events) process.stdout.write(formatEvent(event) + '\n');
    });
}

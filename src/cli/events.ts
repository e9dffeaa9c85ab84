import { join, resolve } from 'node:path';
import { existsSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import type { FailoverTiming, QuorumEvent } from '../model/index.js';
import { describeFailover, failoverDurations, failoverTiming, UserError } from '../model/index.js';
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

const ENDS_FAILOVER = new Set(['+switch-master', 'quorum:cluster-failover']);

/** A failover's times as `--json` gives them on its closing event, with the two durations. */
function timingJson(t: FailoverTiming) {
  return { ...t, ...failoverDurations(t) };
}

/**
 * The events to print: an event that ends a failover carries its times, measured over the whole
 * log `all` (the events before it that the filters leave out still time it).
 */
function withTimes(events: QuorumEvent[], all: readonly QuorumEvent[], json: boolean): string[] {
  return events.map((e) => {
    const timing = ENDS_FAILOVER.has(e.type) ? failoverTiming(all, e) : null;
    if (json) return JSON.stringify(timing ? { ...e, failover: timingJson(timing) } : e);
    const line = formatEvent(e);
    // under the type, whether the time carries a date or not
    const indent = ' '.repeat(line.indexOf(e.type));
    return line + (timing ? `\n${indent}failover: ${describeFailover(timing)}` : '');
  });
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
  const log = new EventLog(path).read();
  const print = (lines: string[]) => {
    for (const line of lines) process.stdout.write(`${line}\n`);
  };
  const seen = new Set<string>();
  for (const e of log) seen.add(e.id);
  print(withTimes(first, log, json));
  let size = existsSync(path) ? statSync(path).size : 0;
  const timer = setInterval(() => {
    const now = existsSync(path) ? statSync(path).size : 0;
    if (now === size) return;
    size = now;
    const all = new EventLog(path).read();
    const fresh = all.filter((e) => !seen.has(e.id));
    for (const e of fresh) seen.add(e.id);
    print(withTimes(fresh.filter(wanted), all, json));
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
      const all = new EventLog(path).read();
      let events = all.filter(wanted);
      if (opts.last !== undefined) events = events.slice(-opts.last);
      if (opts.follow === true) {
        await follow(path, events, wanted, opts.json === true);
        return;
      }
      const lines = withTimes(events, all, opts.json === true);
      if (opts.json === true) {
        process.stdout.write(`[\n${lines.join(',\n')}\n]\n`);
        return;
      }
      if (events.length === 0) process.stdout.write('no events\n');
      for (const line of lines) process.stdout.write(line + '\n');
    });
}

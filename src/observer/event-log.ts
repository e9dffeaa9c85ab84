import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import type { EventReport, QuorumEvent } from '../model/index.js';
import type { Bus } from './bus.js';

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const subjectSchema = z.object({
  type: z.enum(['master', 'slave', 'sentinel']),
  name: z.string(),
  addr: z.string(),
  masterName: z.string().nullable(),
  masterAddr: z.string().nullable(),
});
const eventSchema = z.object({
  id: z.string(),
  ms: z.number(),
  deployment: z.string(),
  type: z.string(),
  source: z.enum(['sentinel', 'quorum']),
  message: z.string(),
  subject: subjectSchema.nullable(),
  switch: z.object({ masterName: z.string(), from: z.string(), to: z.string() }).nullable(),
  reports: z.array(z.object({ by: z.string(), ms: z.number() })),
  detail: z.record(z.string(), scalar),
});
const lineSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('event'), event: eventSchema }),
  z.object({
    kind: z.literal('report'),
    id: z.string(),
    report: z.object({ by: z.string(), ms: z.number() }),
  }),
]);

/**
 * The event log on disk (`<dir>/events.jsonl`). Append-only so a crash loses nothing written: a
 * new event is one line, and a later report of it by another sentinel is another line, folded
 * back into the event when read.
 */
export class EventLog {
  constructor(readonly path: string) {}

  appendEvent(event: QuorumEvent): void {
    appendFileSync(this.path, JSON.stringify({ kind: 'event', event }) + '\n');
  }

  appendReport(id: string, report: EventReport): void {
    appendFileSync(this.path, JSON.stringify({ kind: 'report', id, report }) + '\n');
  }

  /** Writes everything the bus emits until the returned function is called. */
  follow(bus: Bus): () => void {
    const onEvent = (event: QuorumEvent) => this.appendEvent(event);
    const onReport = ({ id, report }: { id: string; report: EventReport }) =>
      this.appendReport(id, report);
    bus.on('event', onEvent);
    bus.on('report', onReport);
    return () => {
      bus.off('event', onEvent);
      bus.off('report', onReport);
    };
  }

  /** Reads the log, oldest first. Lines that do not parse (a torn last line) are skipped. */
  read(): QuorumEvent[] {
    if (!existsSync(this.path)) return [];
    return foldEventLog(readFileSync(this.path, 'utf8'));
  }
}

/** Folds the lines of an event log into events with all their reports (pure). */
export function foldEventLog(text: string): QuorumEvent[] {
  const events: QuorumEvent[] = [];
  const byId = new Map<string, QuorumEvent>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let parsedJson: unknown;
    try {
      parsedJson = JSON.parse(line);
    } catch {
      continue;
    }
    const parsed = lineSchema.safeParse(parsedJson);
    if (!parsed.success) continue;
    if (parsed.data.kind === 'event') {
      const event = parsed.data.event;
      events.push(event);
      byId.set(event.id, event);
    } else {
      const event = byId.get(parsed.data.id);
      if (event) event.reports.push(parsed.data.report);
    }
  }
  return events;
}

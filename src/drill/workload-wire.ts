import { z } from 'zod';
import type { Access, TlsSettings } from '../redis/index.js';
import type { ClusterWorkloadOptions } from './cluster-workload.js';
import type { WorkloadOptions } from './workload.js';

/**
 * What the writers in a namespace (workload-main) and the drill say to each other over the
 * child's pipes: the spec on stdin, then JSON lines on stdout. Both sides parse with these.
 */

const addr = z.string();

const tlsSettings = z.object({
  ca: z.string().nullable(),
  cert: z.string().nullable(),
  key: z.string().nullable(),
  servername: z.string().nullable(),
  insecure: z.boolean(),
  files: z.object({
    ca: z.string().nullable(),
    cert: z.string().nullable(),
    key: z.string().nullable(),
  }),
}) satisfies z.ZodType<TlsSettings>;

const access = z.object({
  of: z.enum(['node', 'sentinel']),
  user: z.string().nullable(),
  password: z.string().nullable(),
  tls: tlsSettings.nullable(),
}) satisfies z.ZodType<Access>;

const sentinelOptions = z.object({
  sentinels: z.array(addr),
  masterName: z.string(),
  access,
  sentinelAccess: access,
  writers: z.number().int().positive(),
  rate: z.number().positive(),
  readers: z.number().int().nonnegative(),
  timeoutMs: z.number().positive(),
  key: z.string(),
  via: z.enum(['sentinel', 'role-check', 'proxy']),
  nodes: z.array(addr),
  proxy: z.object({ write: addr, read: addr }).nullable(),
}) satisfies z.ZodType<WorkloadOptions>;

const clusterOptions = z.object({
  seeds: z.array(addr),
  access,
  writers: z.number().int().positive(),
  rate: z.number().positive(),
  readers: z.number().int().nonnegative(),
  timeoutMs: z.number().positive(),
  buckets: z.array(z.object({ key: z.string(), slot: z.number().int(), shard: addr })),
}) satisfies z.ZodType<ClusterWorkloadOptions>;

/** What the namespace runs: the Sentinel workload, or the cluster one (a cluster client). */
export const workloadSpecSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('sentinel'), options: sentinelOptions }),
  z.object({ kind: z.literal('cluster'), options: clusterOptions }),
]);
export type NetnsWorkloadSpec = z.infer<typeof workloadSpecSchema>;

const writeRecord = z.object({
  value: z.string(),
  writer: z.number().int(),
  startMs: z.number(),
  endMs: z.number(),
  outcome: z.enum(['ack', 'fail', 'indeterminate']),
  node: z.string().optional(),
  slot: z.number().int().optional(),
  key: z.string().optional(),
});

const lateReply = z.object({
  value: z.string(),
  outcome: z.enum(['ack', 'fail']),
  atMs: z.number(),
});

const readRecord = z.object({ startMs: z.number(), endMs: z.number(), ok: z.boolean() });

/** The most writers a final count may name (a cluster's writers per shard, 64 shards of 64). */
const MAX_WRITERS = 4096;

/**
 * One line from the writers: started, or the records completed since the last line and the late
 * replies that came meanwhile (`l`, for writes sent in an earlier line), or, once they stopped
 * cleanly and sent everything, how many writes each writer recorded (`counts[writer]`).
 */
const workloadReplySchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({
    type: z.literal('records'),
    w: z.array(writeRecord),
    r: z.array(readRecord),
    l: z.array(lateReply).default([]),
  }),
  z.object({
    type: z.literal('done'),
    counts: z.array(z.number().int().nonnegative()).max(MAX_WRITERS),
  }),
]);
export type WorkloadReply = z.infer<typeof workloadReplySchema>;

/** How long a line from the writers may be; a records line holds at most 100 ms of writes. */
export const MAX_REPLY_LINE = 8 * 1024 * 1024;

/**
 * One line of the writers' stdout, or why it is not one of theirs: every line on that pipe is
 * the writers' (logs go to stderr), so a line that does not parse means records were lost.
 */
export function parseReply(line: string): WorkloadReply | { problem: string } {
  const head = line.length > 80 ? `${line.slice(0, 80)}...` : line;
  if (line.length > MAX_REPLY_LINE)
    return { problem: `a line of ${line.length} characters, over ${MAX_REPLY_LINE}` };
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return { problem: `a line that is not JSON: ${head}` };
  }
  const reply = workloadReplySchema.safeParse(json);
  return reply.success ? reply.data : { problem: `a line of no known shape: ${head}` };
}

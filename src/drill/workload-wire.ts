import { z } from 'zod';
import type { ClusterWorkloadOptions } from './cluster-workload.js';
import type { WorkloadOptions } from './workload.js';

/**
 * What the writers in a namespace (workload-main) and the drill say to each other over the
 * child's pipes: the spec on stdin, then JSON lines on stdout. Both sides parse with these.
 */

const addr = z.string();

const sentinelOptions = z.object({
  sentinels: z.array(addr),
  masterName: z.string(),
  password: z.string().nullable(),
  sentinelPassword: z.string().nullable(),
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
  password: z.string().nullable(),
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
});

const readRecord = z.object({ startMs: z.number(), endMs: z.number(), ok: z.boolean() });

/** One line from the writers: started, or the records completed since the last line. */
const workloadReplySchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('records'), w: z.array(writeRecord), r: z.array(readRecord) }),
]);
export type WorkloadReply = z.infer<typeof workloadReplySchema>;

/**
 * One line of the writers' stdout, or null when it is not one of theirs (ip netns exec or node
 * may print other lines).
 */
export function parseReply(line: string): WorkloadReply | null {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return null;
  }
  const reply = workloadReplySchema.safeParse(json);
  return reply.success ? reply.data : null;
}

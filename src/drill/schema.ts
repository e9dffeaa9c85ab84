import { z } from 'zod';

const ms = z.number().nullable();
const stats = z
  .object({ min: z.number(), p50: z.number(), p95: z.number(), max: z.number() })
  .nullable();

const count = z.number().int();

/** What a Redis Cluster run measured besides the common fields (see ClusterFacts). */
const clusterFacts = z.object({
  nodeTimeoutMs: z.number(),
  shard: z.string().nullable(),
  slots: count,
  otherShardsUnavailableMs: z.number(),
  clusterFailMs: z.number(),
  clusterFailFromMs: ms,
  shards: z.array(
    z.object({
      shard: z.string(),
      masterAfter: z.string().nullable(),
      slots: count,
      attempted: count,
      acknowledged: count,
      failed: count,
      indeterminate: count,
      ackedLost: count,
      writeUnavailableMs: z.number(),
    }),
  ),
  reshard: z
    .object({
      from: z.string(),
      to: z.string(),
      slotsMoved: count,
      keysMoved: count,
      ms: z.number(),
    })
    .nullable(),
  appendonly: z.boolean().nullable(),
  fullCoverage: z.boolean().nullable(),
  oldMasterAfterFault: z.object({ acknowledged: count, lost: count }).nullable().default(null),
});

/**
 * The schema of `quorum drill <scenario> --json` (one object) and `quorum drill all --json` (an
 * array of them). Times are ms after the fault; `faultAtMs` is ms since the epoch. The fields
 * DESIGN.md §3 names stay; others may be added.
 */
export const drillRunSchema = z.object({
  faultAtMs: z.number(),
  sdownMs: ms,
  odownMs: ms,
  switchMasterMs: ms,
  firstWriteMs: ms,
  writeUnavailableMs: z.number(),
  writeUnavailableFromMs: z.number(),
  readUnavailableMs: z.number(),
  replicasFollowMs: ms,
  oldMaster: z.string().nullable(),
  newMaster: z.string().nullable(),
  failover: z.boolean(),
  replicasConverged: z.boolean(),
  twoMastersMs: z.number(),
  minReplicasToWrite: z.number().int().nullable(),
  via: z.enum(['sentinel', 'role-check', 'proxy', 'cluster']),
  attempted: z.number().int(),
  acknowledged: z.number().int(),
  failed: z.number().int(),
  indeterminate: z.number().int(),
  survived: z.number().int(),
  ackedLost: z.number().int(),
  ackedLostValues: z.array(z.string()),
  indeterminatePresent: z.number().int(),
  failedPresent: z.number().int(),
  lossRate: z.number().min(0).max(1),
  violations: z.array(z.string()),
  injected: z.string(),
  healed: z.string(),
  series: z.object({
    stepMs: z.number(),
    fromMs: z.number(),
    acked: z.array(z.number()),
    failed: z.array(z.number()),
  }),
  events: z.array(z.object({ type: z.string(), ms: z.number(), message: z.string() })),
  /** Acknowledged writes per node that answered them (which side of a partition), and lost. */
  byNode: z
    .array(z.object({ node: z.string(), acked: z.number().int(), lost: z.number().int() }))
    .default([]),
  /** The lab client namespace the writers ran in; null on the host. */
  writersIn: z.string().nullable().default(null),
  healMs: ms.default(null),
  /** A Redis Cluster run's own figures; null for Sentinel runs. */
  cluster: clusterFacts.nullable().default(null),
});

export const scenarioResultSchema = z.object({
  scenario: z.string(),
  kind: z.enum(['sentinel', 'cluster']).default('sentinel'),
  description: z.string(),
  expectFailover: z.boolean(),
  noFailoverBecause: z.string().nullable(),
  downAfterMs: z.number(),
  runs: z.array(drillRunSchema).min(1),
  summary: z.object({
    switchMasterMs: stats,
    writeUnavailableMs: stats,
    ackedLost: stats,
    violations: z.number().int(),
  }),
});

export const drillOutputSchema = z.union([scenarioResultSchema, z.array(scenarioResultSchema)]);

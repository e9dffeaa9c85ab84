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

/** What every run measured, Sentinel or Cluster. Times are ms after the fault. */
const runCommon = {
  /** When the fault took effect, ms since the epoch. */
  faultAtMs: z.number(),
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
  attempted: z.number().int(),
  acknowledged: z.number().int(),
  failed: z.number().int(),
  indeterminate: z.number().int(),
  survived: z.number().int(),
  ackedLost: z.number().int(),
  ackedLostValues: z.array(z.string()),
  indeterminatePresent: z.number().int(),
  /** Indeterminate writes missing at the end, the late-acknowledged ones among all writes and
   * those missing, the late-refused ones (see docs/drills.md, "The ledger"); null in runs kept
   * before late replies were recorded. */
  indeterminateLost: count.nullable().default(null),
  lateAcked: count.nullable().default(null),
  lateAckedLost: count.nullable().default(null),
  lateRefused: count.nullable().default(null),
  /** Missing writes sent after the fault with no reply, and how many of them a scenario excused. */
  unansweredAfterFault: count.nullable().default(null),
  unansweredExempted: count.nullable().default(null),
  failedPresent: z.number().int(),
  lossRate: z.number().min(0).max(1),
  violations: z.array(z.string()),
  /** Runs kept before deviations were said have none. */
  deviations: z.array(z.string()).default([]),
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
};

/** A Sentinel run: the sentinels' `+sdown`, `+odown` and the earliest `+switch-master`. */
const sentinelRunSchema = z.object({
  kind: z.literal('sentinel'),
  ...runCommon,
  sdownMs: ms,
  odownMs: ms,
  switchMasterMs: ms,
  via: z.enum(['sentinel', 'role-check', 'proxy']),
  cluster: z.null().default(null),
});

/**
 * A Redis Cluster run: `pfailMs`, the first node that flagged the shard's master PFAIL;
 * `failMs`, when it was flagged FAIL; `promotedMs`, when the first node named a replica the
 * master of its slots (null: no failover). `cluster` holds per-shard figures, the time some node
 * said cluster_state:fail and a reshard's.
 */
const clusterRunSchema = z.object({
  kind: z.literal('cluster'),
  ...runCommon,
  pfailMs: ms,
  failMs: ms,
  promotedMs: ms,
  via: z.literal('cluster'),
  cluster: clusterFacts,
});

/**
 * A run kept before runs said their kind: a cluster run then kept PFAIL, FAIL and the promotion
 * in `sdownMs`, `odownMs` and `switchMasterMs`. Anything else passes as it is.
 */
export function upgradeStoredRun(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || 'kind' in value) return value;
  const run: Record<string, unknown> = { ...value };
  if (run.via !== 'cluster') return { kind: 'sentinel', ...run };
  const { sdownMs, odownMs, switchMasterMs, ...rest } = run;
  return {
    kind: 'cluster',
    ...rest,
    pfailMs: sdownMs ?? null,
    failMs: odownMs ?? null,
    promotedMs: switchMasterMs ?? null,
  };
}

/**
 * The schema of one run in `quorum drill <scenario> --json`. Its timing part is its kind's: a
 * Sentinel run has `sdownMs`, `odownMs`, `switchMasterMs` (these stay); a Cluster run has
 * `pfailMs`, `failMs`, `promotedMs`. `faultAtMs` is ms since the epoch; other fields may be added.
 */
export const drillRunSchema = z.preprocess(
  upgradeStoredRun,
  z.discriminatedUnion('kind', [sentinelRunSchema, clusterRunSchema]),
);

/**
 * The schema of `quorum drill <scenario> --json` (one object) and `quorum drill all --json` (an
 * array of them). `summary.switchMasterMs` spreads when the new master took over: +switch-master
 * for Sentinel, the promotion for Cluster.
 */
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
    deviations: z.number().int().default(0),
  }),
});

export const drillOutputSchema = z.union([scenarioResultSchema, z.array(scenarioResultSchema)]);

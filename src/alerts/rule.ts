import type { ClusterTopology, LastFailover, SentinelTopology, Topology } from '../model/index.js';
import { assertNever } from '../model/index.js';

export type Severity = 'critical' | 'warning' | 'info';

/** One instance of a rule's condition that holds now: what it is about and a sentence. */
export interface Finding {
  /** The node or sentinel it is about; null for the deployment as a whole. */
  subject: string | null;
  summary: string;
}

/** What a built-in evaluation may look at besides the topology. */
export interface EvalContext {
  nowMs: number;
  /** Replication lag above which a replica is too far behind. */
  lagBytes: number;
  /** Share of maxmemory above which memory is too full. */
  memoryRatio: number;
  /** When the agreed master last moved to another node, null if not since quorum started. */
  lastMasterChangeMs: number | null;
  /** The last failover's times (src/model/failover.ts), null if none was seen. */
  lastFailover: LastFailover | null;
  /** When each node's `rejected_connections` last rose. */
  rejectedRiseMs: ReadonlyMap<string, number>;
}

/**
 * One alert condition, stated twice over one table: as PromQL for Prometheus (grouped by
 * deployment, so two deployments scraped together never count each other's masters) and as a
 * function of the observer's state for quorum's built-in alerts.
 */
interface RuleBase {
  name: string;
  severity: Severity;
  /** How long the condition must hold before the alert fires. */
  forMs: number;
  /**
   * PromQL over quorum's /metrics (redis_exporter's names where they exist); `$lagBytes` and
   * `$memoryRatio` stand for the thresholds, filled in by the export.
   */
  expr: string;
  /** Prometheus annotation, may use `{{ $labels.x }}`. */
  summary: string;
  /** What to look at first, one line. */
  runbook: string;
}

/** Evaluated on the observer's state; null where quorum's observer does not see this yet. */
type Evaluate<T extends Topology> = ((topology: T, ctx: EvalContext) => Finding[]) | null;

/**
 * One alert rule. The scope says which deployments it is about (Sentinel rules say nothing about
 * a cluster's many masters) and types what its evaluation sees.
 */
export type AlertRule = RuleBase &
  (
    | { scope: 'any'; evaluate: Evaluate<Topology> }
    | { scope: 'sentinel'; evaluate: Evaluate<SentinelTopology> }
    | { scope: 'cluster'; evaluate: Evaluate<ClusterTopology> }
  );

/** What `rule` finds in `topology`: nothing where the rule is about another kind of deployment. */
export function evaluateRule(rule: AlertRule, topology: Topology, ctx: EvalContext): Finding[] {
  switch (rule.scope) {
    case 'any':
      return rule.evaluate?.(topology, ctx) ?? [];
    case 'sentinel':
      return topology.kind === 'sentinel' ? (rule.evaluate?.(topology, ctx) ?? []) : [];
    case 'cluster':
      return topology.kind === 'cluster' ? (rule.evaluate?.(topology, ctx) ?? []) : [];
    default:
      return assertNever(rule);
  }
}

const SEVERITY_RANK: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

/**
 * The highest severity among `alerts` (the firing ones, for the dashboard's badge, so an info
 * alert does not look like a critical one); null when there is none (pure).
 */
export function highestSeverity(alerts: readonly { severity: Severity }[]): Severity | null {
  let worst: Severity | null = null;
  for (const { severity } of alerts)
    if (worst === null || SEVERITY_RANK[severity] < SEVERITY_RANK[worst]) worst = severity;
  return worst;
}

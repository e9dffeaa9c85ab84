import type { LastFailover, Topology } from '../model/index.js';
import { MasterMoves } from '../model/index.js';
import type { AlertRule, EvalContext, Severity } from './rule.js';
import { evaluateRule } from './rule.js';
import { ALERT_RULES, DEFAULT_LAG_BYTES, DEFAULT_MEMORY_RATIO } from './catalogue.js';

/** Thresholds and per-rule changes, from the `alerts` section of quorum.yaml. */
export interface AlertSettings {
  /** @default DEFAULT_LAG_BYTES (10 MiB) */
  lagBytes: number;
  /** @default DEFAULT_MEMORY_RATIO (0.9) */
  memoryRatio: number;
  /** Per rule: another `for`, or switched off. */
  rules: Record<string, { forMs?: number; disabled?: boolean }>;
}

export const DEFAULT_ALERT_SETTINGS: AlertSettings = {
  lagBytes: DEFAULT_LAG_BYTES,
  memoryRatio: DEFAULT_MEMORY_RATIO,
  rules: {},
};

export type AlertStatus = 'pending' | 'firing' | 'resolved';

/** One alert of one rule about one subject, through its life: pending -> firing -> resolved. */
export interface Alert {
  /** `<rule>/<subject>`, stable while the condition holds. */
  id: string;
  rule: string;
  severity: Severity;
  deployment: string;
  subject: string | null;
  summary: string;
  runbook: string;
  status: AlertStatus;
  /** How long the condition must hold before it fires (the rule's, or quorum.yaml's). */
  forMs: number;
  /** When the condition was first seen holding. */
  sinceMs: number;
  firedAtMs: number | null;
  resolvedAtMs: number | null;
}

export interface AlertTransition {
  kind: 'firing' | 'resolved';
  alert: Alert;
}

/** Resolved alerts kept for the Alerts page. */
const RESOLVED_KEPT = 50;

/**
 * quorum's built-in alerting for one deployment: every rule of the catalogue that the observer
 * can see, evaluated on each observation, with Prometheus's `for` semantics (a condition must
 * hold that long before it fires; a pending one that stops holding is dropped without a word).
 */
export class AlertEngine {
  private readonly alerts = new Map<string, Alert>();
  private readonly ended: Alert[] = [];
  private readonly rejected = new Map<string, { count: number; roseMs: number | null }>();
  private readonly masterMoves = new MasterMoves();
  private lastMasterChangeMs: number | null = null;
  private lastFailover: LastFailover | null = null;
  private readonly rules: AlertRule[];

  constructor(
    readonly deployment: string,
    private readonly settings: AlertSettings = DEFAULT_ALERT_SETTINGS,
  ) {
    this.rules = ALERT_RULES.filter(
      (r) => r.evaluate !== null && settings.rules[r.name]?.disabled !== true,
    );
  }

  /** A failover ended (its times are said in the failover alert's text). */
  failedOver(failover: LastFailover): void {
    this.lastFailover = failover;
  }

  /** Evaluates every rule on a new observation; returns what fired and what resolved. */
  evaluate(topology: Topology, nowMs: number = Date.now()): AlertTransition[] {
    this.track(topology, nowMs);
    const ctx: EvalContext = {
      nowMs,
      lagBytes: this.settings.lagBytes,
      memoryRatio: this.settings.memoryRatio,
      lastMasterChangeMs: this.lastMasterChangeMs,
      lastFailover: this.lastFailover,
      rejectedRiseMs: new Map(
        [...this.rejected].flatMap(([addr, r]) => (r.roseMs === null ? [] : [[addr, r.roseMs]])),
      ),
    };
    const transitions: AlertTransition[] = [];
    const holding = new Set<string>();
    for (const rule of this.rules) {
      const forMs = this.settings.rules[rule.name]?.forMs ?? rule.forMs;
      for (const finding of evaluateRule(rule, topology, ctx)) {
        const id = `${rule.name}/${finding.subject ?? this.deployment}`;
        holding.add(id);
        let alert = this.alerts.get(id);
        if (!alert) {
          alert = {
            id,
            rule: rule.name,
            severity: rule.severity,
            deployment: this.deployment,
            subject: finding.subject,
            summary: finding.summary,
            runbook: rule.runbook,
            status: 'pending',
            forMs,
            sinceMs: nowMs,
            firedAtMs: null,
            resolvedAtMs: null,
          };
          this.alerts.set(id, alert);
        }
        alert.summary = finding.summary;
        if (alert.status === 'pending' && nowMs - alert.sinceMs >= forMs) {
          alert.status = 'firing';
          alert.firedAtMs = nowMs;
          transitions.push({ kind: 'firing', alert: { ...alert } });
        }
      }
    }
    for (const [id, alert] of this.alerts) {
      if (holding.has(id)) continue;
      this.alerts.delete(id);
      if (alert.status !== 'firing') continue;
      alert.status = 'resolved';
      alert.resolvedAtMs = nowMs;
      this.ended.unshift(alert);
      this.ended.splice(RESOLVED_KEPT);
      transitions.push({ kind: 'resolved', alert: { ...alert } });
    }
    return transitions;
  }

  /** Changes whenever an alert appears, fires or goes: when the Alerts page needs a push. */
  signature(): string {
    return [...this.alerts.values()].map((a) => `${a.id}:${a.status}`).join(',');
  }

  /** Pending and firing alerts, firing first. */
  active(): Alert[] {
    return [...this.alerts.values()]
      .sort((a, b) =>
        a.status === b.status ? a.sinceMs - b.sinceMs : a.status === 'firing' ? -1 : 1,
      )
      .map((a) => ({ ...a }));
  }

  /** Recently resolved alerts, newest first. */
  resolved(): Alert[] {
    return this.ended.map((a) => ({ ...a }));
  }

  /** Remembers what rules need across observations: master moves, rejected-connection rises. */
  private track(topology: Topology, nowMs: number): void {
    if (this.masterMoves.observe(topology) > 0) this.lastMasterChangeMs = nowMs;
    for (const node of topology.nodes) {
      const count = node.stats.rejectedConnections;
      if (!node.up || count === null) continue;
      const before = this.rejected.get(node.addr);
      // a restarted node starts again from 0: only a rise counts
      const rose = before !== undefined && count > before.count;
      this.rejected.set(node.addr, { count, roseMs: rose ? nowMs : (before?.roseMs ?? null) });
    }
  }
}

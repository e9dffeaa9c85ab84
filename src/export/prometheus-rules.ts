import { stringify } from 'yaml';
import type { AlertSettings } from '../alerts/index.js';
import { ALERT_RULES, DEFAULT_ALERT_SETTINGS } from '../alerts/index.js';

/** `30000` -> `30s`, `120000` -> `2m`: how Prometheus writes `for` (pure). */
function promDuration(ms: number): string {
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

const HEADER = `# Prometheus alert rules for Redis Sentinel deployments, written by 'quorum export prometheus-rules'.
# They read quorum's /metrics (redis_exporter's metric names where it has them, quorum_* for
# what it lacks) and group every count by the 'deployment' label, so two deployments scraped
# together never count each other's masters. quorum evaluates the same conditions itself
# (built-in alerts); the cluster rules read redis_exporter's cluster metrics.
# Check: promtool check rules <this file>
`;

/** The rules file; thresholds, \`for\` and switched-off rules from quorum.yaml's alerts section (pure). */
export function renderPrometheusRules(settings: AlertSettings = DEFAULT_ALERT_SETTINGS): string {
  const rules = ALERT_RULES.filter((r) => settings.rules[r.name]?.disabled !== true).map((r) => ({
    alert: r.name,
    expr: r.expr
      .replace('$lagBytes', String(settings.lagBytes))
      .replace('$memoryRatio', String(settings.memoryRatio)),
    for: promDuration(settings.rules[r.name]?.forMs ?? r.forMs),
    labels: { severity: r.severity },
    annotations: { summary: r.summary, runbook: r.runbook },
  }));
  return HEADER + stringify({ groups: [{ name: 'quorum-redis-ha', rules }] }, { lineWidth: 0 });
}

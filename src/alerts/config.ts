import { z } from 'zod';
import { ALERT_RULES } from './catalogue.js';
import type { AlertSettings } from './engine.js';
import { DEFAULT_ALERT_SETTINGS } from './engine.js';
import type { NotifierConfig } from './notify.js';
import { DEFAULT_NOTIFIER_RETRIES, DEFAULT_NOTIFIER_TIMEOUT_MS } from './notify.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `30s`, `2m`, `1h`, `500ms` or a number of milliseconds, as Prometheus writes `for` (pure). */
function parseDuration(value: string | number): number | null {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : null;
  const match = /^(\d+)(ms|s|m|h)$/.exec(value.trim());
  return match ? Number(match[1]) * (UNITS[match[2] ?? 's'] ?? 1000) : null;
}

const duration = z.union([z.string(), z.number()]).refine((v) => parseDuration(v) !== null, {
  message: "must be a duration such as '30s', '2m' or '1h'",
});

const ruleNames = ALERT_RULES.map((r) => r.name);

export const alertsSchema = z
  .object({
    lagBytes: z.number().int().positive().optional(),
    memoryRatio: z.number().gt(0).lte(1).optional(),
    rules: z
      .record(
        z.string().refine((name) => ruleNames.includes(name), {
          message: `must name a rule (${ruleNames.join(', ')})`,
        }),
        z.object({ for: duration.optional(), disabled: z.boolean().optional() }).strict(),
      )
      .optional(),
    notifiers: z
      .array(
        z
          .object({
            name: z
              .string()
              .regex(/^[A-Za-z0-9._-]{1,64}$/, "must be letters, digits, '.', '_' or '-'"),
            type: z.enum(['webhook', 'slack']),
            url: z.url({ protocol: /^https?$/, message: 'must be an http:// or https:// URL' }),
            timeout: duration.optional(),
            retries: z.number().int().min(0).max(10).optional(),
          })
          .strict(),
      )
      .optional(),
  })
  .strict();

export type AlertsSection = z.infer<typeof alertsSchema>;

export interface AlertConfig {
  settings: AlertSettings;
  notifiers: NotifierConfig[];
}

export const DEFAULT_ALERT_CONFIG: AlertConfig = {
  settings: DEFAULT_ALERT_SETTINGS,
  notifiers: [],
};

/** The validated section as what the engine and the notifiers take (pure). */
export function alertConfigFrom(section: AlertsSection | undefined): AlertConfig {
  if (!section) return DEFAULT_ALERT_CONFIG;
  const rules: AlertSettings['rules'] = {};
  for (const [name, rule] of Object.entries(section.rules ?? {})) {
    const forMs = rule.for === undefined ? null : parseDuration(rule.for);
    rules[name] = {
      ...(forMs !== null ? { forMs } : {}),
      ...(rule.disabled !== undefined ? { disabled: rule.disabled } : {}),
    };
  }
  return {
    settings: {
      lagBytes: section.lagBytes ?? DEFAULT_ALERT_SETTINGS.lagBytes,
      memoryRatio: section.memoryRatio ?? DEFAULT_ALERT_SETTINGS.memoryRatio,
      rules,
    },
    notifiers: (section.notifiers ?? []).map((n) => ({
      name: n.name,
      type: n.type,
      url: n.url,
      timeoutMs:
        (n.timeout === undefined ? null : parseDuration(n.timeout)) ?? DEFAULT_NOTIFIER_TIMEOUT_MS,
      retries: n.retries ?? DEFAULT_NOTIFIER_RETRIES,
    })),
  };
}

import type { Alert, AlertsState } from '../../src/server/contract.js';
import { clock } from '../../src/model/format.js';

/** A duration, at most its two largest units: `12s`, `2m 10s`, `1h 5m`, `3d 2h` (pure). */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const parts: [number, string][] = [
    [Math.floor(seconds / 86_400), 'd'],
    [Math.floor(seconds / 3600) % 24, 'h'],
    [Math.floor(seconds / 60) % 60, 'm'],
    [seconds % 60, 's'],
  ];
  const first = parts.findIndex(([n]) => n > 0);
  if (first === -1) return '0s';
  return parts
    .slice(first, first + 2)
    .filter(([n], i) => i === 0 || n > 0)
    .map(([n, unit]) => `${String(n)}${unit}`)
    .join(' ');
}

const SEVERITY_RANK: Record<Alert['severity'], number> = { critical: 0, warning: 1, info: 2 };

export interface AlertGroups {
  /** Most severe first, then the one firing longest. */
  firing: Alert[];
  /** The one pending longest first. */
  pending: Alert[];
  /** The newest resolved first. */
  resolved: Alert[];
}

/** Splits a deployment's alerts into what the Alerts page lists, in its order (pure). */
export function groupAlerts(state: AlertsState | undefined): AlertGroups {
  const active = state?.active ?? [];
  return {
    firing: active
      .filter((a) => a.status === 'firing')
      .sort(
        (a, b) =>
          SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
          (a.firedAtMs ?? a.sinceMs) - (b.firedAtMs ?? b.sinceMs),
      ),
    pending: active.filter((a) => a.status === 'pending').sort((a, b) => a.sinceMs - b.sinceMs),
    resolved: [...(state?.resolved ?? [])].sort(
      (a, b) => (b.resolvedAtMs ?? 0) - (a.resolvedAtMs ?? 0),
    ),
  };
}

/** How long an alert has been in its state, or for a resolved one how long it fired and when it ended (pure). */
export function alertTiming(alert: Alert, nowMs: number): string {
  switch (alert.status) {
    case 'firing':
      return `firing for ${formatDuration(nowMs - (alert.firedAtMs ?? alert.sinceMs))}`;
    case 'pending':
      return `pending for ${formatDuration(nowMs - alert.sinceMs)}, fires in ${formatDuration(alert.sinceMs + alert.forMs - nowMs)} if it holds`;
    case 'resolved': {
      const end = alert.resolvedAtMs ?? nowMs;
      return `fired for ${formatDuration(end - (alert.firedAtMs ?? alert.sinceMs))}, resolved at ${clock(end).slice(0, 8)} (${formatDuration(nowMs - end)} ago)`;
    }
  }
}

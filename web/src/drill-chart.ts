import type { Series } from '../../src/server/contract.js';

/** One marker on a drill chart: a Sentinel event or the fault, ms after the fault. */
export interface Marker {
  ms: number;
  label: string;
  color: string;
}

const EVENT_COLORS: Record<string, string> = {
  '+sdown': '#d97706',
  '+odown': '#dc2626',
  '+elected-leader': '#7c3aed',
  '+promoted-slave': '#2563eb',
  '+switch-master': '#16a34a',
  '+convert-to-slave': '#0891b2',
  '+tilt': '#db2777',
  // a Redis Cluster run's milestones, as quorum derives them from the nodes' views
  'quorum:node-pfail': '#d97706',
  'quorum:node-fail': '#dc2626',
  'quorum:cluster-failover': '#16a34a',
};

/**
 * What the shaded window of a run's chart is (pure): for a cluster run, the shard's slots only,
 * since the bars count every shard's writes and the others go on writing through it.
 */
export function gapCaption(run: { kind: string; writeUnavailableMs: number }): string {
  const s = `${(run.writeUnavailableMs / 1000).toFixed(2)} s`;
  return run.kind === 'cluster'
    ? `shaded: ${s} without an acknowledged write to the failed shard's slots (the bars count every shard's writes; the other shards kept writing)`
    : `shaded: ${s} without an acknowledged write`;
}

/**
 * The chart's columns (pure): seconds relative to the fault, and acknowledged and failed writes
 * per second in each bucket.
 */
export function drillColumns(series: Series): [number[], number[], number[]] {
  const perSecond = 1000 / series.stepMs;
  const x = series.acked.map((_, i) => (series.fromMs + i * series.stepMs) / 1000);
  return [x, series.acked.map((n) => n * perSecond), series.failed.map((n) => n * perSecond)];
}

/** The fault and the first event of each marked type (later repeats add nothing to read) (pure). */
export function drillMarkers(
  events: readonly { type: string; ms: number }[],
  faulted: boolean,
): Marker[] {
  const markers: Marker[] = faulted ? [{ ms: 0, label: 'fault', color: '#dc2626' }] : [];
  const seen = new Set<string>();
  for (const e of [...events].sort((a, b) => a.ms - b.ms)) {
    const color = EVENT_COLORS[e.type];
    if (!color || seen.has(e.type)) continue;
    seen.add(e.type);
    markers.push({ ms: e.ms, label: e.type.replace(/^quorum:/, ''), color });
  }
  return markers;
}

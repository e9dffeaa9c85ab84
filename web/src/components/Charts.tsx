import { memo, useEffect, useRef } from 'react';
import uPlot from 'uplot';
import { seriesColor, themedAxis, timeAxis, useTheme } from './chart-theme.js';
import type { Sample } from '../../../src/server/contract.js';

function count(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

interface Metric {
  key: keyof Omit<Sample, 't'>;
  title: string;
  format: (v: number) => string;
}

const METRICS: Metric[] = [
  { key: 'opsPerSec', title: 'ops/s', format: (v) => count(v) },
  {
    key: 'memoryUsedBytes',
    title: 'memory used',
    format: (v) => `${(v / 1024 / 1024).toFixed(1)} MiB`,
  },
  { key: 'connectedClients', title: 'connected clients', format: (v) => count(v) },
  { key: 'lagBytes', title: 'replication lag (bytes)', format: (v) => `${v.toFixed(0)} B` },
];

/** Aligns every node's samples on one time axis (seconds), as uPlot wants. */
function align(
  samples: Record<string, Sample[]>,
  addrs: string[],
  key: Metric['key'],
): uPlot.AlignedData {
  const times = [
    ...new Set(addrs.flatMap((a) => (samples[a] ?? []).map((s) => Math.floor(s.t / 1000)))),
  ].sort((a, b) => a - b);
  const series = addrs.map((a) => {
    const byTime = new Map((samples[a] ?? []).map((s) => [Math.floor(s.t / 1000), s[key]]));
    return times.map((t) => byTime.get(t) ?? null);
  });
  return [times, ...series];
}

function Chart({
  metric,
  samples,
  addrs,
  names,
}: {
  metric: Metric;
  samples: Record<string, Sample[]>;
  addrs: string[];
  names: Record<string, string>;
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = addrs.map((a) => names[a] ?? a).join(',');
  const theme = useTheme();
  const latest = useRef(samples);
  latest.current = samples;

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const axis = themedAxis(theme);
    const opts: uPlot.Options = {
      width: el.clientWidth || 320,
      height: 150,
      legend: { live: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true } },
      axes: [
        timeAxis(theme),
        { ...axis, size: 64, values: (_u, values) => values.map((v) => metric.format(v)) },
      ],
      series: [
        {},
        ...addrs.map((a, i) => ({
          // the graph's names: redis-1, not its address
          label: names[a] ?? a,
          stroke: seriesColor(theme, i),
          width: 1.5,
          spanGaps: false,
        })),
      ],
    };
    // rebuilt (a new theme, other nodes): with the data it had
    plot.current = new uPlot(opts, align(latest.current, addrs, metric.key), el);
    const resize = new ResizeObserver(() =>
      plot.current?.setSize({ width: el.clientWidth, height: 150 }),
    );
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
    // rebuilt only when the set of nodes changes, not on every sample
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shape, metric, theme]);

  useEffect(() => {
    plot.current?.setData(align(samples, addrs, metric.key));
  }, [samples, addrs, metric.key]);

  return (
    <div className="chart">
      <h3>{metric.title}</h3>
      <div ref={box} />
    </div>
  );
}

/** Per-node charts at one sample a second, the last 15 minutes. */
export const Charts = memo(function Charts({
  samples,
  addrs,
  names,
}: {
  samples: Record<string, Sample[]>;
  addrs: string[];
  /** Process names by address, as the graph shows them. */
  names: Record<string, string>;
}) {
  return (
    <div className="charts">
      {METRICS.map((m) => (
        <Chart key={m.key} metric={m} samples={samples} addrs={addrs} names={names} />
      ))}
    </div>
  );
});

import { memo, useEffect, useRef } from 'react';
import uPlot from 'uplot';
import { themedAxis } from './chart-theme.js';
import type { Sample } from '../../../src/server/contract.js';

const PALETTE = [
  '#6d28d9',
  '#0f766e',
  '#b45309',
  '#2563eb',
  '#db2777',
  '#65a30d',
  '#0891b2',
  '#9333ea',
];

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
}: {
  metric: Metric;
  samples: Record<string, Sample[]>;
  addrs: string[];
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = addrs.join(',');

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const axis = themedAxis();
    const opts: uPlot.Options = {
      width: el.clientWidth || 320,
      height: 150,
      legend: { live: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true } },
      axes: [
        axis,
        { ...axis, size: 60, values: (_u, values) => values.map((v) => metric.format(v)) },
      ],
      series: [
        {},
        ...addrs.map((a, i) => ({
          label: a,
          stroke: PALETTE[i % PALETTE.length],
          width: 1.5,
          spanGaps: false,
        })),
      ],
    };
    plot.current = new uPlot(opts, [[]], el);
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
  }, [shape, metric]);

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
}: {
  samples: Record<string, Sample[]>;
  addrs: string[];
}) {
  return (
    <div className="charts">
      {METRICS.map((m) => (
        <Chart key={m.key} metric={m} samples={samples} addrs={addrs} />
      ))}
    </div>
  );
});

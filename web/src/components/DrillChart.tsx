import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import { themedAxis, useTheme } from './chart-theme.js';
import { labelRows } from '../label-rows.js';
import type { Series } from '../../../src/server/contract.js';
import type { Marker } from '../drill-chart.js';
import { drillColumns } from '../drill-chart.js';

/** Draws a vertical line with its label for each marker, and shades the window without writes. */
function drawOverlay(
  u: uPlot,
  markers: Marker[],
  gap: { fromMs: number; ms: number } | null,
): void {
  const { ctx } = u;
  const { top, height } = u.bbox;
  ctx.save();
  if (gap && gap.ms > 0) {
    const x0 = u.valToPos(gap.fromMs / 1000, 'x', true);
    const x1 = u.valToPos((gap.fromMs + gap.ms) / 1000, 'x', true);
    ctx.fillStyle = 'rgba(220, 38, 38, 0.10)';
    ctx.fillRect(x0, top, x1 - x0, height);
  }
  const dpr = devicePixelRatio;
  ctx.font = `${String(12 * dpr)}px system-ui, sans-serif`;
  // uPlot leaves its axes' alignment on the context: labels start at their line
  ctx.textAlign = 'left';
  ctx.textBaseline = 'alphabetic';
  const xs = markers.map((m) => u.valToPos(m.ms / 1000, 'x', true));
  // labels close in time go on rows of their own instead of on top of each other
  const rows = labelRows(
    markers.map((m, i) => ({ x: xs[i] ?? 0, width: ctx.measureText(m.label).width + 3 * dpr })),
    Math.max(1, Math.floor(height / (14 * dpr)) - 1),
    4 * dpr,
  );
  markers.forEach((m, i) => {
    const x = xs[i] ?? 0;
    ctx.strokeStyle = m.color;
    ctx.fillStyle = m.color;
    ctx.lineWidth = dpr;
    ctx.setLineDash([4 * dpr, 3 * dpr]);
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, top + height);
    ctx.stroke();
    ctx.fillText(m.label, x + 3 * dpr, top + (13 + (rows[i] ?? 0) * 14) * dpr);
  });
  ctx.restore();
}

/**
 * Writes per second around the fault: acknowledged and failed, the fault and Sentinel's events
 * marked, the longest window without a write shaded. Redrawn as a live drill's series grows.
 */
export function DrillChart({
  series,
  markers,
  gap,
  height = 200,
}: {
  series: Series;
  markers: Marker[];
  gap: { fromMs: number; ms: number } | null;
  height?: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const latest = useRef({ markers, gap, series });
  latest.current = { markers, gap, series };
  const theme = useTheme();

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const axis = themedAxis(theme);
    const opts: uPlot.Options = {
      width: el.clientWidth || 600,
      height,
      legend: { live: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: false } },
      axes: [
        {
          ...axis,
          label: 's after the fault',
          space: 50,
          values: (_u, v) => v.map((s) => `${String(s)}s`),
        },
        // room for the title beside the numbers: it is drawn whole, not cut to "rites/s"
        { ...axis, size: 52, label: 'writes/s', labelSize: 20, labelGap: 2 },
      ],
      series: [
        { label: 's' },
        {
          label: 'acknowledged',
          stroke: '#16a34a',
          fill: 'rgba(22, 163, 74, 0.15)',
          width: 1.5,
          points: { show: false },
        },
        { label: 'failed or unanswered', stroke: '#dc2626', width: 1.5, points: { show: false } },
      ],
      plugins: [
        {
          hooks: {
            draw: (u) => drawOverlay(u, latest.current.markers, latest.current.gap),
          },
        },
      ],
    };
    plot.current = new uPlot(opts, drillColumns(latest.current.series), el);
    const resize = new ResizeObserver(() =>
      plot.current?.setSize({ width: el.clientWidth, height }),
    );
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
    // built again only for another height or theme; the data effect below feeds it
  }, [height, theme]);

  useEffect(() => {
    plot.current?.setData(drillColumns(series));
  }, [series, markers, gap]);

  return <div className="drill-chart" ref={box} data-testid="drill-chart" />;
}

import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import { themedAxis } from './chart-theme.js';
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
  ctx.font = `${String(10 * devicePixelRatio)}px system-ui, sans-serif`;
  markers.forEach((m, i) => {
    const x = u.valToPos(m.ms / 1000, 'x', true);
    ctx.strokeStyle = m.color;
    ctx.fillStyle = m.color;
    ctx.lineWidth = devicePixelRatio;
    ctx.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio]);
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, top + height);
    ctx.stroke();
    ctx.fillText(m.label, x + 3 * devicePixelRatio, top + (12 + (i % 4) * 12) * devicePixelRatio);
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
  const latest = useRef({ markers, gap });
  latest.current = { markers, gap };

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const axis = themedAxis();
    const opts: uPlot.Options = {
      width: el.clientWidth || 600,
      height,
      legend: { live: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: false } },
      axes: [
        { ...axis, label: 's after the fault', values: (_u, v) => v.map((s) => `${String(s)}s`) },
        { ...axis, size: 60, label: 'writes/s' },
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
    plot.current = new uPlot(opts, drillColumns(series), el);
    const resize = new ResizeObserver(() =>
      plot.current?.setSize({ width: el.clientWidth, height }),
    );
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
    // built once; the data effect below feeds it
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [height]);

  useEffect(() => {
    plot.current?.setData(drillColumns(series));
  }, [series, markers, gap]);

  return <div className="drill-chart" ref={box} data-testid="drill-chart" />;
}

/** Times as the dashboard writes them everywhere: 24-hour clock, ISO dates, the browser's zone. */
import { isoDate } from '../../src/model/format.js';

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `2026-12-07` (pure), as the CLI writes dates. */
export { isoDate };

/** `05:50:22` (pure). */
export function hms(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** `2026-12-07 05:50:22`: a moment that may be on another day, as a past drill (pure). */
export function dateTime(ms: number): string {
  return `${isoDate(ms)} ${hms(ms)}`;
}

/**
 * uPlot's x-axis labels: `HH:MM:SS` (`HH:MM` when every tick is on a whole minute), and the date
 * under the first tick only when the ticks span more than one day (pure).
 */
export function axisTimes(seconds: number[]): string[] {
  const wholeMinutes = seconds.every((s) => s % 60 === 0);
  const days = new Set(seconds.map((s) => isoDate(s * 1000)));
  return seconds.map((s, i) => {
    const time = hms(s * 1000);
    const label = wholeMinutes ? time.slice(0, 5) : time;
    return days.size > 1 && (i === 0 || isoDate(s * 1000) !== isoDate((seconds[i - 1] ?? s) * 1000))
      ? `${label}\n${isoDate(s * 1000)}`
      : label;
  });
}

import { useSyncExternalStore } from 'react';
import { axisTimes } from '../time-format.js';

type Theme = 'light' | 'dark';

function currentTheme(): Theme {
  return document.documentElement.dataset.theme === 'dark' ? 'dark' : 'light';
}

function subscribe(onChange: () => void): () => void {
  const observer = new MutationObserver(onChange);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
  return () => observer.disconnect();
}

/** The page's theme, again whenever it is switched: a chart built with it is rebuilt then. */
export function useTheme(): Theme {
  return useSyncExternalStore(subscribe, currentTheme);
}

const AXIS: Record<Theme, { text: string; grid: string }> = {
  light: { text: '#5b6470', grid: '#e5e7eb' },
  dark: { text: '#9aa4b2', grid: '#2b323c' },
};

/**
 * Series colours that are none of the graph's role colours (purple master, teal replica, amber
 * sentinel, blue proxy), so a line's colour never reads as a role; brighter in the dark theme.
 */
const SERIES: Record<Theme, string[]> = {
  light: ['#db2777', '#0284c7', '#65a30d', '#475569', '#ea580c', '#a16207', '#be123c', '#111827'],
  dark: ['#f472b6', '#38bdf8', '#a3e635', '#cbd5e1', '#fb923c', '#facc15', '#fb7185', '#f9fafb'],
};

/** The colour of the `i`th series in `theme`. */
export function seriesColor(theme: Theme, i: number): string {
  const palette = SERIES[theme];
  return palette[i % palette.length] ?? '#888888';
}

/** Axis colours for uPlot in `theme`. */
export function themedAxis(theme: Theme) {
  const { text, grid } = AXIS[theme];
  return {
    stroke: text,
    grid: { stroke: grid, width: 1 },
    ticks: { stroke: grid, width: 1 },
    font: '12px system-ui, sans-serif',
    labelFont: '12px system-ui, sans-serif',
  };
}

/** An x axis of clock times: 24-hour labels far enough apart not to touch. */
export function timeAxis(theme: Theme) {
  return {
    ...themedAxis(theme),
    space: 80,
    values: (_u: unknown, splits: number[]) => axisTimes(splits),
  };
}

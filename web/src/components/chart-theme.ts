/** Axis colours for uPlot in the current theme (read when a chart is built). */
export function themedAxis() {
  const dark = document.documentElement.dataset.theme === 'dark';
  return {
    stroke: dark ? '#9aa4b2' : '#5b6470',
    grid: { stroke: dark ? '#2b323c' : '#e5e7eb' },
    ticks: { stroke: dark ? '#2b323c' : '#e5e7eb' },
  };
}

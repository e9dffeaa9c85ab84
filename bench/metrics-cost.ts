/** What one configuration of the metrics bench measured, per data node. */
export interface Measured {
  /** CPU of quorum's observer per node per second (one poll a second), with nobody scraping, µs. */
  observerUs: number;
  /** CPU of one quorum `/metrics` render per node, µs. */
  renderUs: number;
  /** CPU of redis_exporter per node per scrape interval (its scrapes of that node), µs. */
  exporterUs: number;
  /** quorum's `/metrics` bytes per node per scrape. */
  quorumBytes: number;
  /** redis_exporter's bytes per node per scrape interval. */
  exporterBytes: number;
}

/**
 * `m` as measured, or an error when a process used no CPU the clock could see (/proc counts in
 * 10 ms ticks): a zero would turn every ratio and the break-even into nonsense (pure).
 */
export function checked(m: Measured): Measured {
  const zero = (['observerUs', 'renderUs', 'exporterUs'] as const).filter((k) => !(m[k] > 0));
  if (zero.length > 0)
    throw new Error(
      `${zero.join(', ')} measured no CPU at all: run more --rounds or a longer --window.`,
    );
  return m;
}

/** The scrape intervals the table compares, in seconds. */
export const INTERVALS_S = [15, 60] as const;

/** quorum's total per node over one scrape interval: the observer's polls plus one render (pure). */
export function quorumPerInterval(m: Measured, intervalS: number): number {
  return m.observerUs * intervalS + m.renderUs;
}

/**
 * The interval at which both cost the same per node (pure): quorum's cost grows with the interval
 * (it polls every second), redis_exporter's does not (it asks Redis once per scrape). Shorter
 * intervals favour quorum. Null when quorum costs more at any interval of a second or more.
 */
export function breakEvenS(m: Measured): number | null {
  const s = (m.exporterUs - m.renderUs) / m.observerUs;
  return Number.isFinite(s) && s >= 1 ? s : null;
}

/** The sentence that leads the section: who costs more at 15 s, and by how much (pure). */
export function headline(m: Measured): string {
  const ratio = quorumPerInterval(m, 15) / m.exporterUs;
  const even = breakEvenS(m);
  const where =
    even === null
      ? 'quorum costs more at every interval of 1 s or more'
      : `they cost the same at a ${even.toFixed(1)} s interval; quorum costs less only below it`;
  return ratio > 1
    ? `At a 15 s scrape interval quorum costs ${ratio.toFixed(1)}x more CPU per node than redis_exporter (${where}).`
    : `At a 15 s scrape interval quorum costs ${(1 / ratio).toFixed(1)}x less CPU per node than redis_exporter (${where}).`;
}

/** The cost table of one configuration (pure). */
export function costTable(m: Measured): string[] {
  const us = (v: number) => `${v.toFixed(0)} µs`;
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
  const q = INTERVALS_S.map((s) => quorumPerInterval(m, s));
  return [
    `| per node | ${INTERVALS_S.map((s) => `CPU per ${String(s)} s interval`).join(' | ')} | CPU per fresh sample | bytes per scrape |`,
    `| --- | ${INTERVALS_S.map(() => '---').join(' | ')} | --- | --- |`,
    `| quorum: observer over the interval + one \`/metrics\` render | ${q.map(us).join(' | ')} | ${us(m.observerUs)} (one poll, 1 s resolution) | ${kib(m.quorumBytes)} |`,
    `| redis_exporter: one scrape | ${INTERVALS_S.map(() => us(m.exporterUs)).join(' | ')} | ${us(m.exporterUs)} (one scrape) | ${kib(m.exporterBytes)} |`,
    `| ratio quorum / redis_exporter | ${q.map((v) => (v / m.exporterUs).toFixed(2)).join(' | ')} | ${(m.observerUs / m.exporterUs).toFixed(2)} | ${(m.quorumBytes / m.exporterBytes).toFixed(2)} |`,
  ];
}

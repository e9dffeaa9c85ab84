import type { Topology } from '../model/index.js';
import { table } from './table.js';

const DAY_MS = 86_400_000;

/** The certificates a TLS deployment presents, with when each ends; empty without TLS. */
export function formatCertificates(t: Topology, nowMs: number): string {
  if (t.certificates.length === 0) return '';
  const rows = t.certificates.map((c) => {
    const days = Math.floor((c.expiresAtMs - nowMs) / DAY_MS);
    return [
      c.addr,
      c.process === 'sentinel' ? 'sentinel' : 'node',
      c.subject,
      new Date(c.expiresAtMs).toISOString().slice(0, 10),
      days < 0 ? 'ENDED' : `${String(days)} days${days < 30 ? ' (renew it)' : ''}`,
    ];
  });
  return table(['TLS CERTIFICATE', 'OF', 'SUBJECT', 'ENDS', 'LEFT'], rows);
}

/** `status --json`'s certificates: each with its end as an ISO time, like `observedAt`. */
export function certificatesJson(t: Topology) {
  return t.certificates.map(({ expiresAtMs, ...c }) => ({
    ...c,
    expiresAt: new Date(expiresAtMs).toISOString(),
  }));
}

import type { Addr, CertificateInfo, Topology } from '../model/index.js';
import { sentinelsOf } from '../model/index.js';
import type { Access } from '../redis/index.js';
import { certificateOf } from '../redis/index.js';
import type { ObserveTarget } from './target.js';

/** A certificate is read again after an hour: it changes only when someone replaces it. */
const REREAD_MS = 3_600_000;
/** A process whose certificate could not be read (down, not TLS) is tried again after this. */
const RETRY_MS = 30_000;

interface Reading {
  cert: CertificateInfo | null;
  readAtMs: number;
}

/**
 * The certificates of a TLS deployment's processes, for `status`, /metrics and the expiry alert.
 * Each is read in a handshake of its own (nothing sent), once an hour, not on every poll.
 */
export class CertificateWatch {
  private readonly readings = new Map<Addr, Reading>();

  constructor(
    private readonly target: ObserveTarget,
    private readonly timeoutMs: number,
  ) {}

  /** `topology` with the certificate of each TLS process, reading those not read lately. */
  async attach(topology: Topology): Promise<Topology> {
    const wanted: { addr: Addr; process: CertificateInfo['process']; access: Access }[] = [];
    const node = this.target.access;
    if (node.tls)
      for (const n of topology.nodes) wanted.push({ addr: n.addr, process: 'node', access: node });
    const sentinel = this.target.kind === 'sentinel' ? this.target.sentinelAccess : null;
    if (sentinel?.tls)
      for (const s of sentinelsOf(topology))
        wanted.push({ addr: s.addr, process: 'sentinel', access: sentinel });
    if (wanted.length === 0) return topology;
    const now = Date.now();
    const due = wanted.filter(({ addr }) => {
      const r = this.readings.get(addr);
      return !r || now - r.readAtMs >= (r.cert ? REREAD_MS : RETRY_MS);
    });
    await Promise.all(
      due.map(async ({ addr, process, access }) => {
        if (!access.tls) return;
        const peer = await certificateOf(addr, access.tls, this.timeoutMs);
        const cert = peer && {
          addr,
          process,
          subject: peer.subject,
          altNames: peer.altNames,
          expiresAtMs: peer.validTo.getTime(),
        };
        this.readings.set(addr, { cert, readAtMs: now });
      }),
    );
    const certificates = wanted.flatMap(({ addr }) => {
      const cert = this.readings.get(addr)?.cert;
      return cert ? [cert] : [];
    });
    return { ...topology, certificates };
  }
}

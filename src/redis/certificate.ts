import { connect } from 'node:tls';
import type { Addr } from '../model/index.js';
import { parseAddr } from '../model/index.js';
import type { TlsSettings } from './access.js';
import { tlsOptions } from './access.js';

/** A server certificate as its TLS handshake showed it. */
export interface PeerCertificate {
  subject: string;
  /** `IP Address:127.0.0.1, DNS:localhost`, as the certificate lists them. */
  altNames: string;
  validFrom: Date;
  validTo: Date;
}

/** Whether an error is a server certificate past its end date. */
export function isExpiredCertificate(err: unknown): boolean {
  return (
    typeof err === 'object' && err !== null && 'code' in err && err.code === 'CERT_HAS_EXPIRED'
  );
}

/**
 * The certificate `addr` presents in its TLS handshake, read without verifying it (so an expired
 * or foreign one is read too), or null when no handshake completes within `timeoutMs`. Closes
 * the connection at once; nothing is sent.
 */
export function certificateOf(
  addr: Addr,
  tls: TlsSettings,
  timeoutMs: number,
): Promise<PeerCertificate | null> {
  const hp = parseAddr(addr);
  if (!hp) return Promise.resolve(null);
  return new Promise((resolve) => {
    const socket = connect({
      ...tlsOptions(tls),
      host: hp.host,
      port: hp.port,
      rejectUnauthorized: false,
    });
    let settled = false;
    const done = (cert: PeerCertificate | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(cert);
    };
    const timer = setTimeout(() => done(null), timeoutMs);
    // every error, not only the first: a TLS socket may report a second one (an alert from the
    // peer after a failed handshake) after the first, and an unheard one ends the process
    socket.on('error', () => done(null));
    socket.once('secureConnect', () => {
      const peer = socket.getPeerCertificate();
      if (!peer.valid_to) {
        done(null);
        return;
      }
      const cn = peer.subject.CN;
      done({
        subject: (Array.isArray(cn) ? cn.join(', ') : cn) ?? '',
        altNames: peer.subjectaltname ?? '',
        validFrom: new Date(peer.valid_from),
        validTo: new Date(peer.valid_to),
      });
    });
  });
}

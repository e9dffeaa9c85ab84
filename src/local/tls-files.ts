import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { UserError } from '../model/index.js';

/** Time for one openssl call (an EC key and a signature take milliseconds). */
const OPENSSL_TIMEOUT_MS = 10_000;
/** The CA lives ten years; each certificate one, and `status` shows when it ends. */
const CA_DAYS = 3650;
const CERT_DAYS = 365;

/** Where a deployment's TLS files are: `<dir>/tls/`. */
function tlsDir(dir: string): string {
  return join(dir, 'tls');
}

/** The files of one certificate: the PEM certificate and its private key (0600). */
export interface CertFiles {
  cert: string;
  key: string;
}

/** What `up --tls` made: the CA, each process's certificate, and quorum's client certificate. */
export interface TlsFiles {
  ca: string;
  /** The certificate a process presents (server, and client towards its peers). */
  of(process: string): CertFiles;
  /** quorum's own client certificate (`tls-auth-clients yes` asks every client for one). */
  client: CertFiles;
}

export function tlsFiles(dir: string): TlsFiles {
  const at = tlsDir(dir);
  const pair = (name: string): CertFiles => ({
    cert: join(at, `${name}.crt`),
    key: join(at, `${name}.key`),
  });
  return { ca: join(at, 'ca.crt'), of: pair, client: pair('quorum') };
}

function openssl(args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('openssl', args, { cwd, timeout: OPENSSL_TIMEOUT_MS }, (err, _out, stderr) => {
      if (!err) {
        resolve();
        return;
      }
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT')
        reject(
          new UserError(
            "--tls makes certificates with openssl, which is not installed; install Debian's openssl package (apt-get install openssl)",
          ),
        );
      else
        reject(
          new UserError(
            `openssl ${args[0] ?? ''} failed: ${stderr.trim().split('\n').pop() ?? err.message}`,
          ),
        );
    });
  });
}

/** Why `up --tls` cannot make certificates here (openssl missing); null when it can. */
export function opensslMissing(): string | null {
  const found = spawnSync('openssl', ['version'], { timeout: OPENSSL_TIMEOUT_MS });
  return found.error
    ? "--tls makes certificates with openssl, which is not installed; install Debian's openssl package (apt-get install openssl)"
    : null;
}

/** A new EC P-256 key, unencrypted (the servers read it at start). */
const NEW_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** An empty file readable by its owner only: openssl then writes the key into it, never wider. */
function privateFile(path: string): void {
  writeFileSync(path, '', { mode: 0o600 });
  chmodSync(path, 0o600);
}

/** The names a certificate must hold for `hosts`: each as IP (or DNS), plus localhost. */
function subjectAltNames(hosts: readonly string[]): string {
  const names = new Set(['DNS:localhost', 'IP:127.0.0.1']);
  for (const host of hosts) {
    // a wildcard bind address is no name a client connects by
    if (host === '0.0.0.0' || host === '::') continue;
    names.add(/^[\d.]+$|:/.test(host) ? `IP:${host}` : `DNS:${host}`);
  }
  return [...names].join(',');
}

/**
 * Whether the certificate in `file` exists, was signed by the CA in `caFile`, holds every name
 * in `sans` and lasts 30 more days.
 */
function stillGood(file: string, caFile: string, sans: string): boolean {
  if (!existsSync(file)) return false;
  try {
    const cert = new X509Certificate(readFileSync(file));
    const ca = new X509Certificate(readFileSync(caFile));
    if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return false;
    const held = new Set(
      (cert.subjectAltName ?? '').split(', ').map((n) => n.replace(/^IP Address:/, 'IP:')),
    );
    const lasting = new Date(cert.validTo).getTime() - Date.now() > 30 * 86_400_000;
    return lasting && sans.split(',').every((n) => held.has(n));
  } catch {
    return false;
  }
}

async function signed(at: string, name: string, sans: string, days: number): Promise<void> {
  const ext = join(at, `${name}.ext`);
  writeFileSync(
    ext,
    [
      `subjectAltName=${sans}`,
      'basicConstraints=CA:FALSE',
      'keyUsage=digitalSignature,keyEncipherment',
      // servers present it, and use it as clients towards their peers (replication, the bus)
      'extendedKeyUsage=serverAuth,clientAuth',
      '',
    ].join('\n'),
  );
  try {
    privateFile(join(at, `${name}.key`));
    await openssl(
      [
        'req',
        '-new',
        ...NEW_KEY,
        '-keyout',
        `${name}.key`,
        '-out',
        `${name}.csr`,
        '-subj',
        `/CN=${name}`,
      ],
      at,
    );
    await openssl(
      [
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        'ca.crt',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-days',
        String(days),
        '-extfile',
        `${name}.ext`,
        '-out',
        `${name}.crt`,
      ],
      at,
    );
  } finally {
    rmSync(ext, { force: true });
    rmSync(join(at, `${name}.csr`), { force: true });
  }
}

/**
 * Makes what is missing under `<dir>/tls/`: a CA (kept across restarts, so clients given
 * ca.crt keep trusting the deployment), one certificate per process whose names cover `hosts`
 * (its own address, the proxy's, loopback), and quorum's client certificate. A certificate that
 * lacks a name or ends within 30 days is made again. Keys are 0600.
 */
export async function ensureTlsFiles(
  dir: string,
  processes: readonly { name: string; hosts: readonly string[] }[],
): Promise<TlsFiles> {
  const at = tlsDir(dir);
  mkdirSync(at, { recursive: true, mode: 0o700 });
  const files = tlsFiles(dir);
  if (!existsSync(files.ca) || !existsSync(join(at, 'ca.key'))) {
    privateFile(join(at, 'ca.key'));
    await openssl(
      [
        'req',
        '-x509',
        '-new',
        ...NEW_KEY,
        '-keyout',
        'ca.key',
        '-out',
        'ca.crt',
        '-days',
        String(CA_DAYS),
        '-subj',
        `/CN=quorum local CA`,
      ],
      at,
    );
  }
  for (const p of processes) {
    const sans = subjectAltNames(p.hosts);
    if (!stillGood(files.of(p.name).cert, files.ca, sans))
      await signed(at, p.name, sans, CERT_DAYS);
  }
  if (!stillGood(files.client.cert, files.ca, subjectAltNames([])))
    await signed(at, 'quorum', subjectAltNames([]), CERT_DAYS);
  return files;
}

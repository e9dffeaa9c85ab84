import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isLoopback, UserError } from '../model/index.js';
import type { Access, TlsSettings } from '../redis/index.js';

/**
 * What a person gives for one kind of process, from flags or quorum.yaml. Secrets come from
 * environment variables (`passwordEnv`) or, for local use only, `password` itself.
 */
export interface AccessInput {
  user?: string | undefined;
  /** The password itself (`--password`, for local use: argv is visible to other users). */
  password?: string | undefined;
  /** The environment variable that holds the password. */
  passwordEnv?: string | undefined;
  tls?: boolean | undefined;
  cacert?: string | undefined;
  cert?: string | undefined;
  key?: string | undefined;
  sni?: string | undefined;
  insecure?: boolean | undefined;
}

/** How a field is named to the person: `--cacert`, or `deployments[0].tls.cacert`. */
export type FieldName = (field: keyof AccessInput) => string;

function readPem(path: string, field: string, check: (pem: string) => void): string {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new UserError(`${field} ${path} cannot be read (${code}); pass a readable PEM file`, 2);
  }
  try {
    check(pem);
  } catch {
    throw new UserError(
      `${field} ${path} is not a PEM ${field.endsWith('key') ? 'private key' : 'certificate'}; pass the PEM file (it starts with -----BEGIN)`,
      2,
    );
  }
  return pem;
}

function tlsFrom(input: AccessInput, name: FieldName): TlsSettings {
  if ((input.cert === undefined) !== (input.key === undefined))
    throw new UserError(
      `${input.cert !== undefined ? name('cert') : name('key')} needs ${input.cert !== undefined ? name('key') : name('cert')} too: a client certificate is used with its private key`,
      2,
    );
  // each throws on a file that is not PEM of its kind
  const certificate = (pem: string) => {
    new X509Certificate(pem);
  };
  const privateKey = (pem: string) => {
    createPrivateKey(pem);
  };
  const file = (path: string | undefined, field: keyof AccessInput, check: (p: string) => void) =>
    path === undefined ? null : readPem(path, name(field), check);
  return {
    ca: file(input.cacert, 'cacert', certificate),
    cert: file(input.cert, 'cert', certificate),
    key: file(input.key, 'key', privateKey),
    servername: input.sni ?? null,
    insecure: input.insecure === true,
    files: { ca: input.cacert ?? null, cert: input.cert ?? null, key: input.key ?? null },
  };
}

/**
 * The access one kind of process is reached with. Reads the PEM files now, so a wrong file is
 * one sentence before anything connects. `env` holds the variables `passwordEnv` may name.
 */
export function accessFrom(
  of: Access['of'],
  input: AccessInput,
  name: FieldName,
  env: NodeJS.ProcessEnv,
): Access {
  let password = input.password ?? null;
  if (input.passwordEnv !== undefined) {
    const value = env[input.passwordEnv];
    if (value === undefined)
      throw new UserError(
        `${name('passwordEnv')} names ${input.passwordEnv}, which is not set in the environment; export it first`,
        2,
      );
    password = value;
  }
  if (input.password !== undefined && input.passwordEnv !== undefined)
    throw new UserError(
      `${name('password')} and ${name('passwordEnv')} both give a password; pass one of them`,
      2,
    );
  const fileGiven = [input.cacert, input.cert, input.key, input.sni, input.insecure].some(
    (v) => v !== undefined && v !== false,
  );
  if (fileGiven && input.tls !== true)
    throw new UserError(
      `${name('cacert')}, ${name('cert')}, ${name('key')}, ${name('sni')} and ${name('insecure')} are TLS settings; add ${name('tls')}`,
      2,
    );
  return {
    of,
    user: input.user ?? null,
    password,
    tls: input.tls === true ? tlsFrom(input, name) : null,
  };
}

/** The warning `--insecure` towards addresses beyond this host deserves, on every start. */
export function insecureWarning(access: Access, addrs: readonly string[]): string | null {
  if (!access.tls?.insecure) return null;
  const remote = addrs.filter((a) => !isLoopback(a));
  return remote.length === 0
    ? null
    : `warning: --insecure: quorum does not verify the certificates of ${remote.join(', ')}; anyone between can read and change what passes`;
}

/** What the TLS test files share: the files `up --tls` made, as flags and as an Access. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Access } from '../src/redis/index.js';

/** `--cacert --cert --key` with the deployment's CA and quorum's client certificate. */
export function clientFlags(tlsDir: string): string[] {
  return [
    '--cacert',
    join(tlsDir, 'ca.crt'),
    '--cert',
    join(tlsDir, 'quorum.crt'),
    '--key',
    join(tlsDir, 'quorum.key'),
  ];
}

/** The nodes' access with those files, and `password` if given. */
export function clientAccess(tlsDir: string, password: string | null = null): Access {
  const file = (name: string) => join(tlsDir, name);
  return {
    of: 'node',
    user: null,
    password,
    tls: {
      ca: readFileSync(file('ca.crt'), 'utf8'),
      cert: readFileSync(file('quorum.crt'), 'utf8'),
      key: readFileSync(file('quorum.key'), 'utf8'),
      servername: null,
      insecure: false,
      files: { ca: file('ca.crt'), cert: file('quorum.crt'), key: file('quorum.key') },
    },
  };
}

/** openssl's arguments for a new EC P-256 key, unencrypted. */
export const NEW_EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/**
 * redis-cli with `args` (the password by REDISCLI_AUTH when given, never argv): its reply
 * trimmed, or `failed: ...` with what it said.
 */
export function redisCli(args: string[], password: string | null = null): string {
  try {
    return execFileSync('redis-cli', args, {
      env: { ...process.env, ...(password !== null ? { REDISCLI_AUTH: password } : {}) },
      timeout: 10_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
      .toString()
      .trim();
  } catch (err) {
    return `failed: ${String(err)}`;
  }
}

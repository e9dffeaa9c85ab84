import { readFileSync } from 'node:fs';
import type { Access, TlsSettings } from '../redis/index.js';
import type { LocalSpec } from './spec.js';
import { tlsFiles } from './tls-files.js';

/** How quorum reaches the processes of a deployment it launched. */
export interface LocalAccess {
  node: Access;
  sentinel: Access;
}

/** quorum's side of `up --tls`: the deployment's CA and quorum's own client certificate. */
function localTls(dir: string): TlsSettings {
  const files = tlsFiles(dir);
  const read = (path: string) => readFileSync(path, 'utf8');
  return {
    ca: read(files.ca),
    cert: read(files.client.cert),
    key: read(files.client.key),
    servername: null,
    insecure: false,
    files: { ca: files.ca, cert: files.client.cert, key: files.client.key },
  };
}

/**
 * The access `up` gave a local deployment in `dir`: its password on the data nodes and the
 * sentinels, and with `--tls` the deployment's CA and quorum's client certificate (the files
 * must exist: `up` makes them before any process starts).
 */
export function localAccess(spec: LocalSpec, dir: string): LocalAccess {
  const tls = spec.tls ? localTls(dir) : null;
  // with --acl quorum logs in as its own user, on the nodes and the sentinels alike
  const user = spec.acl ? 'quorum' : null;
  const password = spec.acl ? spec.acl.passwords.quorum : spec.password;
  return {
    node: { of: 'node', user, password, tls },
    sentinel: { of: 'sentinel', user, password, tls },
  };
}

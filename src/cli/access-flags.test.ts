import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { accessOfFlags, unusedAccessFlags } from './access-flags.js';

/** A self-signed certificate and its key, made by the system's openssl. */
function pemFiles(): { cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'quorum-pem-'));
  const cert = join(dir, 'c.crt');
  const key = join(dir, 'c.key');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-new',
      '-nodes',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=t',
    ],
    { stdio: 'ignore' },
  );
  return { cert, key };
}

const NO_URL_TLS = { node: false, sentinel: false };

describe('accessOfFlags', () => {
  it('gives the sentinels the nodes’ user and password unless they get their own', () => {
    const env = { NODES: 'n', SENTINELS: 's' };
    const shared = accessOfFlags({ user: 'ops', passwordEnv: 'NODES' }, NO_URL_TLS, env);
    expect(shared.node).toMatchObject({ of: 'node', user: 'ops', password: 'n', tls: null });
    expect(shared.sentinel).toMatchObject({ of: 'sentinel', user: 'ops', password: 'n' });
    const own = accessOfFlags(
      { user: 'ops', passwordEnv: 'NODES', sentinelPasswordEnv: 'SENTINELS' },
      NO_URL_TLS,
      env,
    );
    expect(own.sentinel).toMatchObject({ user: null, password: 's' });
  });

  it('reads the PEM files once, and gives the sentinels the nodes’ files with --sentinel-tls', () => {
    const { cert, key } = pemFiles();
    const access = accessOfFlags(
      { tls: true, cacert: cert, cert, key, sentinelTls: true },
      NO_URL_TLS,
      {},
    );
    expect(access.node.tls?.ca).toContain('BEGIN CERTIFICATE');
    expect(access.node.tls?.key).toContain('PRIVATE KEY');
    expect(access.sentinel.tls?.files).toEqual({ ca: cert, cert, key });
    // --sentinel-tls alone: the files serve the sentinels, the nodes stay plain
    const sentinelsOnly = accessOfFlags({ cacert: cert, sentinelTls: true }, NO_URL_TLS, {});
    expect(sentinelsOnly.node.tls).toBeNull();
    expect(sentinelsOnly.sentinel.tls?.files.ca).toBe(cert);
    // rediss:// on the sentinel addresses asks for TLS there
    expect(accessOfFlags({}, { node: false, sentinel: true }, {}).sentinel.tls).not.toBeNull();
  });

  it('refuses what would be ignored or is wrong, one sentence each', () => {
    const { cert, key } = pemFiles();
    expect(() => accessOfFlags({ tls: true, cert }, NO_URL_TLS, {})).toThrow(
      '--cert needs --key too',
    );
    expect(() => accessOfFlags({ cacert: cert }, NO_URL_TLS, {})).toThrow('add --tls');
    expect(() => accessOfFlags({ insecure: true }, NO_URL_TLS, {})).toThrow('add --tls');
    expect(() => accessOfFlags({ tls: true, cacert: key }, NO_URL_TLS, {})).toThrow(
      `--cacert ${key} is not a PEM certificate`,
    );
    expect(() => accessOfFlags({ tls: true, cacert: '/nope.crt' }, NO_URL_TLS, {})).toThrow(
      '--cacert /nope.crt cannot be read (ENOENT)',
    );
    expect(() => accessOfFlags({ passwordEnv: 'UNSET' }, NO_URL_TLS, {})).toThrow(
      '--password-env names UNSET, which is not set in the environment',
    );
    expect(() =>
      accessOfFlags({ password: 'p', passwordEnv: 'P' }, NO_URL_TLS, { P: 'p' }),
    ).toThrow('both give a password');
  });
});

describe('unusedAccessFlags', () => {
  it('names flags a local deployment or a cluster would ignore', () => {
    expect(unusedAccessFlags({ tls: true, sentinelUser: 'x' }, 'local')).toBe(
      '--tls, --sentinel-user are for --sentinel or --cluster; a local deployment (--dir) is reached the way up made it',
    );
    expect(unusedAccessFlags({ sentinelTls: true }, 'cluster')).toBe(
      '--sentinel-tls is for sentinels, and a cluster has none; drop it',
    );
    expect(unusedAccessFlags({ tls: true, sentinelTls: true }, 'sentinel')).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import type { Access } from './access.js';
import { describeAccessError } from './access-errors.js';

const ADDR = '10.0.0.5:6379';
const tls = {
  ca: null,
  cert: null,
  key: null,
  servername: null,
  insecure: false,
  files: { ca: '/etc/ca.crt', cert: null, key: null },
};
const node: Access = { of: 'node', user: 'app', password: 'secret', tls: null };
const sentinel: Access = { of: 'sentinel', user: null, password: 'secret', tls };

/** An error as Node raises it: a message and a code. */
const raised = (message: string, code?: string) => Object.assign(new Error(message), { code });

describe('describeAccessError', () => {
  it('names the user, never the password, and whose credentials they were', () => {
    const wrong = describeAccessError(
      ADDR,
      raised('WRONGPASS invalid username-password pair'),
      node,
      true,
    );
    expect(wrong?.message).toBe(
      `${ADDR} rejected the data node credentials (user 'app'): check --user and --password-env`,
    );
    expect(wrong?.message).not.toContain('secret');
    const sentinels = describeAccessError(ADDR, raised('WRONGPASS x'), sentinel, true);
    expect(sentinels?.message).toContain("rejected the sentinel credentials (user 'default')");
  });

  it('names the command and the rule to add for NOPERM', () => {
    const denied = describeAccessError(
      ADDR,
      raised("NOPERM this user has no permissions to run the 'config|get' command"),
      node,
      true,
    );
    expect(denied?.reason).toBe('denied');
    expect(denied?.message).toContain(
      'add +config|get to its ACL rules (ACL SETUSER app +config|get)',
    );
  });

  it('tells a reset at once from a TLS port apart from one on a connection that worked', () => {
    const plain: Access = { ...node, tls: null };
    expect(
      describeAccessError(ADDR, raised('read ECONNRESET', 'ECONNRESET'), plain, false)?.message,
    ).toBe(`${ADDR} closed the connection at once; it may speak TLS: add --tls`);
    expect(
      describeAccessError(ADDR, raised('read ECONNRESET', 'ECONNRESET'), plain, true),
    ).toBeNull();
  });

  it('reads an alert before the protocol error it arrives in', () => {
    const alert = raised('write EPROTO ... tlsv13 alert certificate required', 'EPROTO');
    expect(describeAccessError(ADDR, alert, sentinel, false)?.message).toBe(
      `${ADDR} requires a client certificate (tls-auth-clients yes): add --sentinel-cert and --sentinel-key`,
    );
    const plainPort = raised('... wrong version number ...', 'EPROTO');
    expect(describeAccessError(ADDR, plainPort, sentinel, false)?.message).toBe(
      `${ADDR} does not speak TLS: drop --sentinel-tls or connect to its tls-port`,
    );
  });

  it('names the CA file that did not sign the server', () => {
    const untrusted = raised(
      'self-signed certificate in certificate chain',
      'SELF_SIGNED_CERT_IN_CHAIN',
    );
    expect(describeAccessError(ADDR, untrusted, sentinel, false)?.message).toContain(
      'certificate is not signed by the CA in /etc/ca.crt (SELF_SIGNED_CERT_IN_CHAIN); pass the CA that signed it with --sentinel-cacert',
    );
  });
});

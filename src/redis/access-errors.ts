import type { Addr } from '../model/index.js';
import { parseAddr } from '../model/index.js';
import type { Access } from './access.js';
import { RedisCallError } from './call-error.js';

/** Node's codes for a server certificate no trusted CA signed. */
const UNTRUSTED = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
]);

/** What the person changes for the nodes' credentials, or for the sentinels'. */
function flag(access: Access, name: string): string {
  return access.of === 'sentinel' ? `--sentinel-${name}` : `--${name}`;
}

function whose(access: Access): string {
  return access.of === 'sentinel' ? 'sentinel' : 'data node';
}

function codeOf(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string')
    return err.code;
  return undefined;
}

/** The names a certificate holds, from the error Node raised for a name it does not hold. */
function altNames(err: unknown, text: string): string {
  if (typeof err === 'object' && err !== null && 'cert' in err) {
    const cert = err.cert;
    if (typeof cert === 'object' && cert !== null && 'subjectaltname' in cert) {
      const sans = cert.subjectaltname;
      if (typeof sans === 'string' && sans !== '') return sans;
    }
  }
  return /cert's list: (.*)$/.exec(text)?.[1] ?? 'other names';
}

/** A TLS failure as one sentence that names the fix; null when it is not one. */
function describeTls(
  addr: Addr,
  err: unknown,
  text: string,
  access: Access,
  connected: boolean,
  expiredOn: string | null,
): RedisCallError | null {
  const c = codeOf(err);
  const tls = access.tls;
  if (c !== undefined && UNTRUSTED.has(c)) {
    const trusted = tls?.files.ca ? `the CA in ${tls.files.ca}` : 'a CA quorum trusts';
    return new RedisCallError(
      `${addr}'s certificate is not signed by ${trusted} (${c}); pass the CA that signed it with ${flag(access, 'cacert')}`,
      'tls',
    );
  }
  if (c === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    const host = tls?.servername ?? parseAddr(addr)?.host ?? addr;
    return new RedisCallError(
      `${addr}'s certificate names ${altNames(err, text)}, not ${host}; connect by one of those names or pass ${flag(access, 'sni')} NAME`,
      'tls',
    );
  }
  if (c === 'CERT_HAS_EXPIRED') {
    return new RedisCallError(
      `${addr}'s certificate expired${expiredOn !== null ? ` on ${expiredOn}` : ''}; the server needs a new one (CONFIG SET tls-cert-file reloads it)`,
      'tls',
    );
  }
  if (c === 'CERT_NOT_YET_VALID') {
    return new RedisCallError(
      `${addr}'s certificate is not valid yet; check the clocks of both hosts`,
      'tls',
    );
  }
  if (tls && /alert certificate required/i.test(text))
    return new RedisCallError(
      `${addr} requires a client certificate (tls-auth-clients yes): add ${flag(access, 'cert')} and ${flag(access, 'key')}`,
      'tls',
    );
  if (tls && /alert (unknown ca|bad certificate|certificate unknown|decrypt error)/i.test(text))
    return new RedisCallError(
      `${addr} does not accept quorum's client certificate${tls.files.cert ? ` (${tls.files.cert})` : ''}: its tls-ca-cert-file must have signed it`,
      'tls',
    );
  if (tls && /wrong version number|packet length too long|unknown protocol/i.test(text)) {
    return new RedisCallError(
      `${addr} does not speak TLS: drop ${flag(access, 'tls')} or connect to its tls-port`,
      'tls',
    );
  }
  const reset = c === 'ECONNRESET' || /ECONNRESET/.test(text);
  if (reset && !connected) {
    // a guess, not a verdict: kept as unreachable, so a later real cause replaces it
    if (!tls)
      return new RedisCallError(
        `${addr} closed the connection at once; it may speak TLS: add ${flag(access, 'tls')}`,
        'unreachable',
      );
    if (tls.cert === null)
      return new RedisCallError(
        `${addr} closed the TLS connection at once; it may require a client certificate (tls-auth-clients yes): add ${flag(access, 'cert')} and ${flag(access, 'key')}`,
        'tls',
      );
    return new RedisCallError(
      `${addr} closed the TLS connection at once; it may not accept quorum's client certificate${tls.files.cert ? ` (${tls.files.cert})` : ''}: its tls-ca-cert-file must have signed it`,
      'tls',
    );
  }
  return null;
}

/** The ACL rule that allows what a NOPERM reply refused. */
function missingRule(text: string): string {
  const command = /run the '([^']+)' command/.exec(text)?.[1];
  if (command !== undefined) return `+${command}`;
  if (/channel/i.test(text)) return '&<channel pattern>';
  if (/key/i.test(text)) return '~<key pattern>';
  return '+<command>';
}

/** An authentication or permission refusal as one sentence; null when it is not one. */
function describeAuth(addr: Addr, text: string, access: Access): RedisCallError | null {
  const user = access.user ?? 'default';
  // the sentinels take the nodes' credentials unless given their own: both flags may be the fix
  const shared =
    access.of === 'sentinel'
      ? ' (without them the sentinels get the data nodes’ user and password)'
      : '';
  if (/WRONGPASS|invalid password|invalid username-password/i.test(text)) {
    return new RedisCallError(
      `${addr} rejected the ${whose(access)} credentials (user '${user}'${access.password === null ? ', no password' : ''}): check ${flag(access, 'user')} and ${flag(access, 'password-env')}${shared}`,
      'auth',
    );
  }
  if (/NOAUTH/i.test(text)) {
    return new RedisCallError(
      `${addr} requires a password, and quorum has none for the ${whose(access)}s: pass ${flag(access, 'password-env')} VAR${shared}`,
      'auth',
    );
  }
  if (/^NOPERM/i.test(text)) {
    const rule = missingRule(text);
    return new RedisCallError(
      `${addr}: user '${user}' is not allowed that (${text.replace(/^NOPERM /i, '')}); add ${rule} to its ACL rules (ACL SETUSER ${user} ${rule})`,
      'denied',
    );
  }
  return null;
}

/**
 * A TLS or authentication failure towards `addr`, told with what quorum used (`access`): which
 * credentials (the sentinels' or the nodes'), which user (never the password), which flag to
 * change. `connected`: whether a connection had been established before (a reset right after
 * connecting means something else than one later). Null when the error is neither.
 */
export function describeAccessError(
  addr: Addr,
  err: unknown,
  access: Access,
  connected: boolean,
  expiredOn: string | null = null,
): RedisCallError | null {
  const text = err instanceof Error ? err.message : String(err);
  return (
    describeTls(addr, err, text, access, connected, expiredOn) ?? describeAuth(addr, text, access)
  );
}

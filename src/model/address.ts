/** A network address as `host:port`; IPv6 hosts are written in brackets (`[::1]:6379`). */
export type Addr = string;

export interface HostPort {
  host: string;
  port: number;
}

/** Parses `host:port` (or `[v6]:port`); returns null when it is not a valid address. */
export function parseAddr(text: string): HostPort | null {
  const trimmed = text.trim();
  const bracketed = /^\[([^\]]+)\]:(\d+)$/.exec(trimmed);
  const plain = /^([^:\s[\]]+):(\d+)$/.exec(trimmed);
  const match = bracketed ?? plain;
  if (!match?.[1] || !match[2]) return null;
  const port = Number(match[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return null;
  return { host: match[1], port };
}

export function formatAddr(host: string, port: number): Addr {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * Parses a comma-separated list of addresses, each `host:port` or `redis://host:port` or
 * `rediss://host:port` (TLS; `tls` says whether one was). Returns the first invalid entry when
 * there is one; credentials in a URL are invalid (they belong in an environment variable).
 */
export function parseAddrList(text: string): {
  addrs: Addr[];
  invalid: string | null;
  tls: boolean;
} {
  const addrs: Addr[] = [];
  let tls = false;
  for (const part of text.split(',')) {
    if (part.trim() === '') continue;
    const url = /^(rediss?):\/\/(.*?)\/?$/.exec(part.trim());
    if (url?.[1] === 'rediss') tls = true;
    const parsed = parseAddr(url ? (url[2] ?? '') : part);
    // an invalid entry is shown to the person: never with the password it may carry
    if (!parsed) return { addrs, invalid: part.trim().replace(/\/\/[^/@]*@/, '//…@'), tls };
    addrs.push(formatAddr(parsed.host, parsed.port));
  }
  return { addrs, invalid: null, tls };
}

/** Whether an address (or a bare host) is this machine's loopback. */
export function isLoopback(addrOrHost: string): boolean {
  const host = parseAddr(addrOrHost)?.host ?? addrOrHost;
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

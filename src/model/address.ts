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

/** Parses a comma-separated list of addresses; returns the first invalid entry when there is one. */
export function parseAddrList(text: string): { addrs: Addr[]; invalid: string | null } {
  const addrs: Addr[] = [];
  for (const part of text.split(',')) {
    if (part.trim() === '') continue;
    const parsed = parseAddr(part);
    if (!parsed) return { addrs, invalid: part.trim() };
    addrs.push(formatAddr(parsed.host, parsed.port));
  }
  return { addrs, invalid: null };
}

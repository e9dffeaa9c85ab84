import type { Addr } from './address.js';
import { formatAddr } from './address.js';

/** The instance an event is about (`<type> <name> <ip> <port> [@ <master> <ip> <port>]`). */
export interface EventSubject {
  type: 'master' | 'slave' | 'sentinel';
  name: string;
  addr: Addr;
  masterName: string | null;
  masterAddr: Addr | null;
}

/** `+switch-master <name> <old-ip> <old-port> <new-ip> <new-port>`. */
export interface MasterSwitch {
  masterName: string;
  from: Addr;
  to: Addr;
}

/** One report of one event by one sentinel (or by quorum itself). */
export interface EventReport {
  /** The reporting sentinel's address, or `quorum` for quorum's own events. */
  by: Addr;
  ms: number;
}

/**
 * An event on the bus and in the event log. Sentinel events keep Redis's own names (`+sdown`);
 * quorum's own events use the `quorum:` prefix. The same event reported by several sentinels is
 * one event with several reports.
 */
export interface QuorumEvent {
  id: string;
  /** When the event was first reported (ms since epoch). */
  ms: number;
  deployment: string;
  type: string;
  source: 'sentinel' | 'quorum';
  /** The raw payload as published (sentinel), or a human sentence (quorum). */
  message: string;
  subject: EventSubject | null;
  switch: MasterSwitch | null;
  reports: EventReport[];
  /** Extra structured fields for quorum's own events. */
  detail: Record<string, string | number | boolean | null>;
}

export interface ParsedSentinelEvent {
  type: string;
  message: string;
  subject: EventSubject | null;
  switch: MasterSwitch | null;
}

const INSTANCE_TYPES = new Set(['master', 'slave', 'sentinel']);

function port(text: string | undefined): number | null {
  if (text === undefined || !/^\d{1,5}$/.test(text)) return null;
  const n = Number(text);
  return n >= 1 && n <= 65535 ? n : null;
}

function parseSubject(words: readonly string[]): EventSubject | null {
  const [type, name, ip, portText] = words;
  const p = port(portText);
  if (!type || !INSTANCE_TYPES.has(type) || !name || !ip || p === null) return null;
  const subject: EventSubject = {
    type: type as EventSubject['type'],
    name,
    addr: formatAddr(ip, p),
    masterName: type === 'master' ? name : null,
    masterAddr: type === 'master' ? formatAddr(ip, p) : null,
  };
  if (words[4] === '@') {
    const masterPort = port(words[7]);
    if (words[5] && words[6] && masterPort !== null) {
      subject.masterName = words[5];
      subject.masterAddr = formatAddr(words[6], masterPort);
    }
  }
  return subject;
}

/**
 * Parses one message from a sentinel's Pub/Sub (the channel is the event name). Returns null for
 * channels that are not events (sentinels publish only events, but `psubscribe *` may see others).
 */
export function parseSentinelEvent(channel: string, payload: string): ParsedSentinelEvent | null {
  if (!/^[+-][a-z-]+$/.test(channel)) return null;
  const message = payload.trim();
  const words = message.split(/\s+/);
  if (channel === '+switch-master') {
    const [name, oldIp, oldPort, newIp, newPort] = words;
    const op = port(oldPort);
    const np = port(newPort);
    const parsedSwitch =
      name && oldIp && newIp && op !== null && np !== null
        ? { masterName: name, from: formatAddr(oldIp, op), to: formatAddr(newIp, np) }
        : null;
    return { type: channel, message, subject: null, switch: parsedSwitch };
  }
  return { type: channel, message, subject: parseSubject(words), switch: null };
}

/**
 * The identity of an event for de-duplication: its type and payload without the parts that
 * differ between sentinels reporting the same thing (`#quorum 2/2` on `+odown`).
 */
export function eventKey(type: string, message: string): string {
  const hash = message.indexOf(' #');
  const core = hash >= 0 ? message.slice(0, hash) : message;
  return `${type} ${core.trim()}`;
}

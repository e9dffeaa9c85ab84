import type { Addr } from './address.js';
import { formatAddr } from './address.js';
import type { SlotRange } from './slots.js';
import { SLOT_COUNT } from './slots.js';

/** One line of CLUSTER NODES: one node as the reporting node sees it. */
export interface ClusterNodeEntry {
  id: string;
  /** `host:port` for clients; null while the node has no address (`noaddr`). */
  addr: Addr | null;
  busPort: number | null;
  /** `myself`, `master`, `slave`, `fail?`, `fail`, `handshake`, `noaddr`, `nofailover`, ... */
  flags: string[];
  role: 'master' | 'replica' | 'unknown';
  /** For a replica: the id of its master. */
  masterId: string | null;
  configEpoch: number;
  linkConnected: boolean;
  slots: SlotRange[];
  /** Slots this node is moving out (`[slot->-id]`). */
  migrating: { slot: number; to: string }[];
  /** Slots this node is taking in (`[slot-<-id]`). */
  importing: { slot: number; from: string }[];
}

/** What one cluster node believes about the whole cluster (CLUSTER INFO + CLUSTER NODES). */
export interface ClusterView {
  addr: Addr;
  up: boolean;
  downReason: string | null;
  /** The node's own id (the `myself` entry). */
  myId: string | null;
  state: 'ok' | 'fail' | null;
  currentEpoch: number | null;
  slotsAssigned: number | null;
  slotsOk: number | null;
  slotsPfail: number | null;
  slotsFail: number | null;
  knownNodes: number | null;
  entries: ClusterNodeEntry[];
}

function num(text: string | undefined): number | null {
  if (text === undefined) return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}

/** `127.0.0.1:7000@17000` or `127.0.0.1:7000@17000,hostname`; `:0@0` has no address. */
function parseNodeAddress(text: string): { addr: Addr | null; busPort: number | null } {
  const [endpoint = ''] = text.split(',');
  const at = endpoint.indexOf('@');
  const hostPort = at >= 0 ? endpoint.slice(0, at) : endpoint;
  const busPort = at >= 0 ? num(endpoint.slice(at + 1)) : null;
  const colon = hostPort.lastIndexOf(':');
  if (colon < 0) return { addr: null, busPort };
  const host = hostPort.slice(0, colon);
  const port = num(hostPort.slice(colon + 1));
  if (host === '' || port === null || port <= 0 || port > 65535 || !Number.isInteger(port))
    return { addr: null, busPort };
  return { addr: formatAddr(host, port), busPort };
}

function parseSlot(text: string): number | null {
  const n = num(text);
  return n !== null && Number.isInteger(n) && n >= 0 && n < SLOT_COUNT ? n : null;
}

/** Parses CLUSTER NODES text (pure); malformed lines are skipped, never thrown on. */
export function parseClusterNodes(text: string): ClusterNodeEntry[] {
  const entries: ClusterNodeEntry[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const parts = raw.trim().split(/\s+/);
    if (parts.length < 8) continue;
    const [id = '', address = '', flagText = '', master = '', , , epoch = '', link = ''] = parts;
    if (!/^[0-9a-f]{40}$/i.test(id)) continue;
    const flags = flagText.split(',').filter((f) => f !== '');
    const { addr, busPort } = flags.includes('noaddr')
      ? { addr: null, busPort: null }
      : parseNodeAddress(address);
    const slots: number[] = [];
    const ranges: SlotRange[] = [];
    const migrating: ClusterNodeEntry['migrating'] = [];
    const importing: ClusterNodeEntry['importing'] = [];
    for (const token of parts.slice(8)) {
      const open = /^\[(\d+)-([<>])-([0-9a-f]{40})\]$/i.exec(token);
      if (open) {
        const slot = parseSlot(open[1] ?? '');
        if (slot === null) continue;
        if (open[2] === '>') migrating.push({ slot, to: open[3] ?? '' });
        else importing.push({ slot, from: open[3] ?? '' });
        continue;
      }
      const range = /^(\d+)(?:-(\d+))?$/.exec(token);
      if (!range) continue;
      const a = parseSlot(range[1] ?? '');
      const b = range[2] === undefined ? a : parseSlot(range[2]);
      if (a === null || b === null || b < a) continue;
      ranges.push([a, b]);
      if (b === a) slots.push(a);
    }
    entries.push({
      id,
      addr,
      busPort,
      flags,
      role: flags.includes('master') ? 'master' : flags.includes('slave') ? 'replica' : 'unknown',
      masterId: /^[0-9a-f]{40}$/i.test(master) ? master : null,
      configEpoch: num(epoch) ?? 0,
      linkConnected: link === 'connected',
      slots: ranges.sort((x, y) => x[0] - y[0]),
      migrating,
      importing,
    });
  }
  return entries;
}

/** A view as a reachable node; the CLUSTER INFO fields come from its `key:value` lines. */
export function clusterView(
  addr: Addr,
  info: Record<string, string>,
  nodesText: string,
): ClusterView {
  const entries = parseClusterNodes(nodesText);
  const state = info.cluster_state;
  return {
    addr,
    up: true,
    downReason: null,
    myId: entries.find((e) => e.flags.includes('myself'))?.id ?? null,
    state: state === 'ok' || state === 'fail' ? state : null,
    currentEpoch: num(info.cluster_current_epoch),
    slotsAssigned: num(info.cluster_slots_assigned),
    slotsOk: num(info.cluster_slots_ok),
    slotsPfail: num(info.cluster_slots_pfail),
    slotsFail: num(info.cluster_slots_fail),
    knownNodes: num(info.cluster_known_nodes),
    entries,
  };
}

export function downClusterView(addr: Addr, reason: string): ClusterView {
  return {
    addr,
    up: false,
    downReason: reason,
    myId: null,
    state: null,
    currentEpoch: null,
    slotsAssigned: null,
    slotsOk: null,
    slotsPfail: null,
    slotsFail: null,
    knownNodes: null,
    entries: [],
  };
}

/** Each slot's owner id in one view (null: unassigned). */
export function slotOwners(view: ClusterView): (string | null)[] {
  const owners: (string | null)[] = new Array<string | null>(SLOT_COUNT).fill(null);
  for (const e of view.entries) {
    if (e.role !== 'master') continue;
    for (const [a, b] of e.slots) for (let s = a; s <= b; s++) owners[s] = e.id;
  }
  return owners;
}

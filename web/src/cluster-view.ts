import type { ClusterView } from '../../src/model/cluster-nodes.js';
import type { ClusterState, Shard, SlotMove } from '../../src/model/cluster.js';
import { shardOfSlot } from '../../src/model/cluster.js';
import { formatRanges, hashTag, keySlot } from '../../src/model/slots.js';
import type { Topology } from '../../src/model/topology.js';
import type { ProcessInfo } from '../../src/server/contract.js';
import type { ClusterJob } from '../../src/server/contract.js';
import type { ShardKeys } from './slotmap.js';

/** A node of a shard as the table shows it. */
export interface ShardMember {
  id: string;
  addr: string | null;
  /** The local process name (`redis-4`), when quorum launched it. */
  name: string | null;
  /** Flagged PFAIL or FAIL by the reference view. */
  failed: boolean;
  up: boolean;
}

export interface ShardRow {
  key: number | null;
  master: ShardMember;
  replicas: ShardMember[];
  slotCount: number;
  ranges: string;
  /** Keys in db0 of the master (INFO keyspace); null while it does not answer. */
  keys: number | null;
  memoryBytes: number | null;
}

/** The shards table (pure): one row per master, in shard-key order, with its keys and memory. */
export function shardRows(
  topology: Topology,
  keys: ShardKeys,
  processes: readonly ProcessInfo[] = [],
): ShardRow[] {
  if (topology.kind !== 'cluster') return [];
  const { cluster } = topology;
  const nodes = new Map(topology.nodes.map((n) => [n.addr, n]));
  const names = new Map(processes.map((p) => [p.addr, p.name]));
  const member = (id: string, addr: string | null, failed: boolean): ShardMember => ({
    id,
    addr,
    name: addr === null ? null : (names.get(addr) ?? null),
    failed,
    up: addr !== null && nodes.get(addr)?.up === true,
  });
  return cluster.shards
    .map((s: Shard): ShardRow => {
      const node = s.master === null ? undefined : nodes.get(s.master);
      return {
        key: keys[s.masterId] ?? null,
        master: member(s.masterId, s.master, s.masterFailed),
        replicas: s.replicas.map((r) => member(r.id, r.addr, r.failed)),
        slotCount: s.slotCount,
        ranges: formatRanges(s.slots, 4),
        keys: node?.up ? (node.stats.keyspace.db0?.keys ?? 0) : null,
        memoryBytes: node?.up ? node.memoryUsedBytes : null,
      };
    })
    .sort(
      (a, b) =>
        (a.key ?? Number.MAX_SAFE_INTEGER) - (b.key ?? Number.MAX_SAFE_INTEGER) ||
        b.slotCount - a.slotCount,
    );
}

/** One cell of the views matrix: what one node says about another. */
export interface ViewCell {
  text: string;
  /** Differs from what the reference view says. */
  odd: boolean;
}

export interface ViewMatrix {
  /** The reporting nodes, one column each. */
  columns: { addr: string; up: boolean; reference: boolean }[];
  /** Facts about each reporting node itself (state, epoch, known nodes, slot health). */
  facts: { label: string; cells: ViewCell[] }[];
  /** The nodes reported on, one row each, by address. */
  rows: { id: string; addr: string; cells: ViewCell[] }[];
}

const FLAGS_SHOWN = ['fail?', 'fail', 'handshake', 'noaddr', 'nofailover'];

/** What one view says about one node: role, slots or master, and failure flags. */
function describe(view: ClusterView, id: string, label: (id: string) => string): string {
  if (!view.up) return '-';
  const e = view.entries.find((x) => x.id === id);
  if (!e) return 'unknown';
  const slots = e.slots.reduce((n, [a, b]) => n + b - a + 1, 0);
  const what =
    e.role === 'master'
      ? `master · ${slots} slots`
      : e.role === 'replica'
        ? `replica of ${e.masterId === null ? '?' : label(e.masterId)}`
        : 'unknown role';
  const flags = e.flags
    .filter((f) => FLAGS_SHOWN.includes(f))
    .map((f) => (f === 'fail?' ? 'PFAIL' : f === 'fail' ? 'FAIL' : f));
  return [what, ...flags].join(' · ');
}

/**
 * Each node's own CLUSTER NODES view side by side (pure), like the Sentinel matrix: a column per
 * reporting node, a row per node it reports on; a cell that differs from the reference view (the
 * map most nodes share) is marked, as are failure flags. Masters are named by `names` (process
 * names by address) where known.
 */
export function viewMatrix(cluster: ClusterState, names: Record<string, string> = {}): ViewMatrix {
  const views = [...cluster.views].sort((a, b) =>
    a.addr.localeCompare(b.addr, 'en', { numeric: true }),
  );
  const reference = views.find((v) => v.addr === cluster.reference) ?? null;
  const addrs: Record<string, string> = {};
  for (const v of views)
    for (const e of v.entries) if (e.addr && addrs[e.id] === undefined) addrs[e.id] = e.addr;
  Object.assign(addrs, cluster.addrs);
  const label = (id: string) => {
    const addr = addrs[id];
    return addr === undefined ? id.slice(0, 8) : (names[addr] ?? addr);
  };
  const ids = [...new Set(views.flatMap((v) => v.entries.map((e) => e.id)))].sort((a, b) =>
    (addrs[a] ?? a).localeCompare(addrs[b] ?? b, 'en', { numeric: true }),
  );
  const mostEpoch = mode(views.filter((v) => v.up).map((v) => v.currentEpoch));
  const fact = (label: string, cell: (v: ClusterView) => ViewCell) => ({
    label,
    cells: views.map((v) => (v.up ? cell(v) : { text: '-', odd: false })),
  });
  const facts = [
    {
      label: 'state',
      cells: views.map((v) => ({
        text: v.up ? `cluster_state:${v.state ?? '?'}` : `down: ${v.downReason ?? ''}`,
        odd: !v.up || v.state !== 'ok',
      })),
    },
    fact('current epoch', (v) => ({
      text: String(v.currentEpoch ?? '-'),
      odd: v.currentEpoch !== mostEpoch,
    })),
    fact('knows nodes', (v) => ({
      text: String(v.knownNodes ?? '-'),
      odd: v.knownNodes !== null && v.knownNodes < views.length,
    })),
    fact('slots ok / pfail / fail', (v) => ({
      text: `${v.slotsOk ?? '-'} / ${v.slotsPfail ?? '-'} / ${v.slotsFail ?? '-'}`,
      odd: (v.slotsPfail ?? 0) > 0 || (v.slotsFail ?? 0) > 0,
    })),
  ];
  const rows = ids.map((id) => {
    const expected = reference ? describe(reference, id, label) : null;
    return {
      id,
      addr: addrs[id] ?? id.slice(0, 8),
      cells: views.map((v) => {
        const text = describe(v, id, label);
        const odd =
          v.up &&
          ((expected !== null && text !== expected) || text.includes('FAIL') || text === 'unknown');
        return { text, odd };
      }),
    };
  });
  return {
    columns: views.map((v) => ({ addr: v.addr, up: v.up, reference: v === reference })),
    facts,
    rows,
  };
}

function mode<T>(values: T[]): T | undefined {
  const counts = new Map<T, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
}

export interface KeyLookup {
  slot: number;
  /** The hash tag hashed instead of the whole key (`{user1}.a` -> `user1`); null when none. */
  tag: string | null;
  owner: Shard | null;
  /** The slot is being moved now: clients may get ASK. */
  move: SlotMove | null;
}

/** Where a key lives (pure): its slot, the hash tag that decided it, its owner and open move. */
export function lookupKey(key: string, cluster: ClusterState | null): KeyLookup {
  const bytes = new TextEncoder().encode(key);
  const tagged = hashTag(bytes);
  const slot = keySlot(bytes);
  return {
    slot,
    tag: tagged.length === bytes.length ? null : new TextDecoder().decode(tagged),
    owner: cluster ? shardOfSlot(cluster, slot) : null,
    move: cluster?.moves.find((m) => m.slot === slot) ?? null,
  };
}

export function jobRunning(job: ClusterJob | null | undefined): boolean {
  return job !== null && job !== undefined && job.endedMs === null;
}

/**
 * The later of two sightings of the latest job (pure): a later-started job wins; for one job,
 * an ended one beats a running one, then more progress wins. Pushes and the 202 answer may
 * arrive in either order.
 */
export function newerJob(a: ClusterJob | null, b: ClusterJob | null): ClusterJob | null {
  if (!a || !b) return a ?? b;
  if (a.id !== b.id) return b.startedMs >= a.startedMs ? b : a;
  if ((a.endedMs === null) !== (b.endedMs === null)) return a.endedMs === null ? b : a;
  return b.done >= a.done ? b : a;
}

/**
 * The job's progress as a fraction (null while the total is unknown), one line of counts, and
 * its message: the error once it failed, else the server's line unless it only repeats the counts.
 */
export function jobProgress(job: ClusterJob): {
  fraction: number | null;
  text: string;
  message: string | null;
} {
  const fraction = job.total > 0 ? Math.min(1, job.done / job.total) : null;
  const count = job.total > 0 ? `${job.done}/${job.total} ${job.unit}` : `${job.done} ${job.unit}`;
  const keys = job.keysMoved > 0 ? ` · ${job.keysMoved} keys moved` : '';
  const repeats = job.endedMs === null && job.total > 0 && job.message.startsWith(`${job.done}/`);
  return {
    fraction,
    text: `${count}${keys}`,
    message: job.error ?? (repeats || job.message === '' ? null : job.message),
  };
}

/** What the node drawer shows of a cluster node (pure): id, shard, slots, who flags it. */
export function clusterNodeRows(cluster: ClusterState, addr: string): [string, string | null][] {
  const id = Object.entries(cluster.addrs).find(([, a]) => a === addr)?.[0] ?? null;
  if (id === null) return [['cluster', 'not in the reference view']];
  const shard = cluster.shards.find(
    (s) => s.masterId === id || s.replicas.some((r) => r.id === id),
  );
  const flags = (flag: string) =>
    cluster.views.filter(
      (v) => v.up && v.entries.some((e) => e.id === id && e.flags.includes(flag)),
    ).length;
  const fail = flags('fail');
  const pfail = flags('fail?');
  return [
    ['node id', id],
    [
      'shard of',
      shard ? (shard.masterId === id ? 'itself (master)' : (shard.master ?? shard.masterId)) : null,
    ],
    [
      'slots',
      shard && shard.masterId === id
        ? `${shard.slotCount} · ${formatRanges(shard.slots, 4)}`
        : null,
    ],
    ['flagged', fail > 0 ? `FAIL by ${fail}` : pfail > 0 ? `PFAIL by ${pfail}` : 'no flags'],
  ];
}

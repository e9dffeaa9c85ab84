import type { Addr, ClusterState, Shard } from '../model/index.js';
import { formatRanges, SLOT_COUNT } from '../model/index.js';
import type { ClusterCheck, MoveProgress } from '../cluster/index.js';
import { flattenInfo, parseInfo } from '../redis/index.js';
import { table } from './table.js';

function dash(value: string | number | null | undefined): string {
  return value === null || value === undefined || value === '' ? '-' : String(value);
}

/**
 * The shards as a table: master, id, slot count and ranges, replicas. The one shard table of the
 * CLI (`status`, `cluster check`, `cluster info`).
 */
export function formatShards(shards: readonly Shard[]): string {
  return table(
    ['MASTER', 'ID', 'SLOTS', 'RANGES', 'REPLICAS'],
    shards.map((s) => [
      s.master ?? s.masterId.slice(0, 8),
      s.masterId.slice(0, 8),
      String(s.slotCount),
      formatRanges(s.slots, 3),
      s.replicas.map((r) => r.addr ?? r.id.slice(0, 8)).join(', ') || 'none',
    ]),
  );
}

/** `cluster check`: a headline, the shards, then what was fixed, the problems and warnings. */
export function formatCheck(check: ClusterCheck, fixed: string[]): string {
  const { state } = check;
  const replicas = state.shards.reduce((sum, s) => sum + s.replicas.length, 0);
  const headline = check.ok
    ? `cluster OK: ${state.slotsCovered}/${SLOT_COUNT} slots covered by ${state.shards.filter((s) => s.slotCount > 0).length} masters, ${replicas} replicas, every node agrees, no slot open`
    : `cluster has ${check.problems.length} problem${check.problems.length === 1 ? '' : 's'}`;
  return [
    ...fixed.map((f) => `fixed: ${f}`),
    headline,
    '',
    formatShards(state.shards),
    ...(check.problems.length + check.warnings.length > 0 ? [''] : []),
    ...check.problems.map((p) => `problem: ${p}`),
    ...check.warnings.map((w) => `warning: ${w}`),
  ].join('\n');
}

const INFO_FIELDS = [
  'cluster_state',
  'cluster_slots_assigned',
  'cluster_slots_ok',
  'cluster_slots_pfail',
  'cluster_slots_fail',
  'cluster_known_nodes',
  'cluster_size',
  'cluster_current_epoch',
  'cluster_my_epoch',
] as const;

export interface NodeInfo {
  addr: Addr;
  name: string | null;
  role: string;
  up: boolean;
  downReason: string | null;
  /** Every CLUSTER INFO field, as text. */
  info: Record<string, string> | null;
}

/** `cluster info --json`: each node's CLUSTER INFO, and the shards. */
export function clusterInfoJson(
  state: ClusterState,
  infos: { addr: Addr; text: unknown }[],
  names: Map<string, Addr>,
): { nodes: NodeInfo[]; shards: ClusterState['shards'] } {
  const reference = state.views.find((v) => v.addr === state.reference);
  const nodes = state.views.map((v): NodeInfo => {
    const text = infos.find((i) => i.addr === v.addr)?.text;
    return {
      addr: v.addr,
      name: [...names].find(([, a]) => a === v.addr)?.[0] ?? null,
      role: reference?.entries.find((e) => e.addr === v.addr)?.role ?? 'unknown',
      up: v.up,
      downReason: v.downReason,
      info: typeof text === 'string' ? flattenInfo(parseInfo(text)) : null,
    };
  });
  return { nodes, shards: state.shards };
}

/** `cluster info`: one row per node with the main CLUSTER INFO fields, then the shards. */
export function formatClusterInfo(state: ClusterState, nodes: NodeInfo[]): string {
  const withNames = nodes.some((n) => n.name !== null);
  const headers = [
    'ADDR',
    'ROLE',
    'STATE',
    'ASSIGNED',
    'OK',
    'PFAIL',
    'FAIL',
    'KNOWN',
    'SIZE',
    'EPOCH',
    'MY EPOCH',
  ];
  const rows = nodes.map((n) => {
    const cells = n.info
      ? INFO_FIELDS.map((f) => dash(n.info?.[f]))
      : [n.up ? 'no answer' : 'down', ...INFO_FIELDS.slice(1).map(() => '-')];
    const row = [n.addr, n.role, ...cells];
    return withNames ? [n.name ?? '-', ...row] : row;
  });
  const downs = nodes
    .filter((n) => !n.up && n.downReason)
    .map((n) => `down: ${n.downReason ?? ''}`);
  return [
    table(withNames ? ['NAME', ...headers] : headers, rows),
    '',
    formatShards(state.shards),
    ...(downs.length > 0 ? ['', ...downs] : []),
  ].join('\n');
}

/** `cluster keyslot`: key, slot, hash tag, owning master (when the cluster could be read). */
export function formatKeyslots(
  rows: { key: string; slot: number; hashTag: string | null; master: Addr | null }[],
  online: boolean,
): string {
  return table(
    online ? ['KEY', 'SLOT', 'HASH TAG', 'MASTER'] : ['KEY', 'SLOT', 'HASH TAG'],
    rows.map((r) => {
      const row = [r.key, String(r.slot), dash(r.hashTag)];
      return online ? [...row, dash(r.master)] : row;
    }),
  );
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export function rate(count: number, ms: number): string {
  return `${Math.round(count / Math.max(ms / 1000, 0.001))}`;
}

/**
 * The progress of a long move: one line on stderr rewritten in place while stderr is a TTY;
 * Ctrl-C asks the move to stop between two slots.
 */
export function moveProgress() {
  const started = Date.now();
  const abort = new AbortController();
  const tty = process.stderr.isTTY;
  let shown = 0;
  const onSigint = () => {
    if (abort.signal.aborted) process.exit(130);
    abort.abort();
    process.stderr.write('\nstopping after the slot in flight (Ctrl-C again to quit at once)\n');
  };
  process.on('SIGINT', onSigint);
  return {
    signal: abort.signal,
    update(p: MoveProgress, extra = '') {
      if (!tty || (Date.now() - shown < 100 && p.slotsDone < p.slotsTotal)) return;
      shown = Date.now();
      const ms = Date.now() - started;
      process.stderr.write(
        `\r\x1b[K${p.slotsDone}/${p.slotsTotal} slots, ${p.keysMoved} keys moved, ${rate(p.slotsDone, ms)} slots/s, ${rate(p.keysMoved, ms)} keys/s${extra}`,
      );
    },
    end() {
      process.off('SIGINT', onSigint);
      if (tty && shown > 0) process.stderr.write('\r\x1b[K');
      shown = 0;
    },
  };
}

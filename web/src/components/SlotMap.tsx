import { memo, useMemo, useState } from 'react';
import type { ClusterState } from '../../../src/model/cluster.js';
import { SLOT_COUNT } from '../../../src/model/slots.js';
import type { ShardKeys } from '../slotmap.js';
import {
  cellOf,
  legend,
  MAP_COLUMNS,
  MAP_ROWS,
  moveOf,
  rangeRects,
  segmentAt,
  segments,
  shardColor,
  slotAt,
} from '../slotmap.js';

/** The slot under a pointer on the map. */
function pointAt(e: React.MouseEvent<SVGSVGElement>): number | null {
  const box = e.currentTarget.getBoundingClientRect();
  return slotAt(
    ((e.clientX - box.left) / box.width) * MAP_COLUMNS,
    ((e.clientY - box.top) / box.height) * MAP_ROWS,
  );
}

/** A ring around one cell, so a single slot is visible on the map. */
function Marker({ slot, className }: { slot: number; className: string }) {
  const { x, y } = cellOf(slot);
  return <rect className={className} x={x - 1.5} y={y - 1.5} width={4} height={4} />;
}

/**
 * All 16384 slots as a grid (256 a row), coloured by owning shard, unassigned slots grey, open
 * (MIGRATING/IMPORTING) slots ringed; hovering names the slot and its owner. Ranges are drawn as
 * rectangles, so the map costs a few dozen SVG elements however the slots are spread.
 */
export const SlotMap = memo(function SlotMap({
  cluster,
  keys,
  names,
  highlight,
}: {
  cluster: ClusterState;
  keys: ShardKeys;
  /** Process names by address. */
  names: Record<string, string>;
  /** A slot to ring (the key lookup's). */
  highlight: number | null;
}) {
  const [hover, setHover] = useState<number | null>(null);
  const all = useMemo(() => segments(cluster), [cluster]);
  const { entries, unassigned } = legend(cluster, keys);
  const label = (id: string | null) => {
    if (id === null) return 'nobody';
    const addr = cluster.addrs[id];
    if (!addr) return id.slice(0, 8);
    return names[addr] ? `${names[addr]} (${addr})` : addr;
  };
  const hovered = hover === null ? null : segmentAt(all, hover);
  const move = hover === null ? null : moveOf(cluster, hover);
  return (
    <div className="slotmap" data-testid="slot-map">
      <svg
        viewBox={`0 0 ${MAP_COLUMNS} ${MAP_ROWS}`}
        preserveAspectRatio="none"
        role="img"
        aria-label={`slot map: ${cluster.slotsCovered} of ${SLOT_COUNT} slots assigned`}
        onMouseMove={(e) => setHover(pointAt(e))}
        onMouseLeave={() => setHover(null)}
        // a touch screen cannot hover: a tap names the slot and keeps it until the next tap
        onClick={(e) => setHover(pointAt(e))}
      >
        {all.map((s) =>
          rangeRects([s.first, s.last]).map((r, i) => (
            <rect
              key={`${s.first}-${i}`}
              data-owner={s.ownerId ?? 'none'}
              x={r.x}
              y={r.y}
              width={r.w}
              height={r.h}
              fill={s.ownerId === null ? shardColor(undefined) : shardColor(keys[s.ownerId])}
            />
          )),
        )}
        {cluster.moves.map((m) => (
          <Marker key={`move-${m.slot}`} slot={m.slot} className="open-slot" />
        ))}
        {highlight !== null && <Marker slot={highlight} className="looked-up" />}
      </svg>
      <p className="slot-hover mono" data-testid="slot-hover">
        {hover === null
          ? 'point at or tap a slot to see its owner'
          : `slot ${hover} · ${label(hovered?.ownerId ?? null)}${hovered ? ` · range ${hovered.first}-${hovered.last}` : ''}${move ? ` · moving ${label(move.fromId)} → ${label(move.toId)}` : ''}`}
      </p>
      <ul className="legend" data-testid="slot-legend">
        {entries.map((e) => (
          <li key={e.masterId} data-master={e.addr ?? e.masterId} data-slots={e.slotCount}>
            <span className="swatch" style={{ background: e.color }} />
            <span className="mono">{label(e.masterId)}</span>
            <strong>{e.slotCount}</strong>
            {e.failed && <span className="bad">failing</span>}
          </li>
        ))}
        {unassigned > 0 && (
          <li data-master="none" data-slots={unassigned}>
            <span className="swatch" style={{ background: shardColor(undefined) }} />
            unassigned <strong>{unassigned}</strong>
          </li>
        )}
        {cluster.moves.length > 0 && (
          <li data-testid="open-slots">
            <span className="swatch open" />
            open: {cluster.moves.map((m) => m.slot).join(', ')}
          </li>
        )}
      </ul>
    </div>
  );
});

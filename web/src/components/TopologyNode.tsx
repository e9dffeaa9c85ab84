import { Handle, Position, type Node, type NodeProps } from '@xyflow/react';
import type { GraphNode, HandleSide } from '../graph-nodes.js';
import { shardColor } from '../slotmap.js';

/** A mapped type (not the interface), so it has the index signature React Flow asks of node data. */
export type TopologyNodeData = { [K in keyof GraphNode]: GraphNode[K] } & {
  selected: boolean;
  /** Drawn in the narrow layout: a sentinel is a small box that names its master. */
  narrow: boolean;
  onSelect: (addr: string) => void;
};

const SIDES: [HandleSide, Position, React.CSSProperties | undefined][] = [
  ['top', Position.Top, undefined],
  ['bottom', Position.Bottom, undefined],
  ['bottom-end', Position.Bottom, { left: '78%' }],
  ['left', Position.Left, undefined],
  ['right', Position.Right, undefined],
];

/** Where edges may leave (`s-…`) and enter (`t-…`) a box; the layout picks the sides. */
function Handles() {
  return (
    <>
      {SIDES.flatMap(([side, position, style]) => [
        <Handle
          key={`s-${side}`}
          id={`s-${side}`}
          type="source"
          position={position}
          style={style}
        />,
        <Handle
          key={`t-${side}`}
          id={`t-${side}`}
          type="target"
          position={position}
          style={style}
        />,
      ])}
    </>
  );
}

function flagsOf(data: TopologyNodeData): string {
  return [
    data.odown ? 'o_down' : null,
    data.sdownBy > 0 ? `s_down by ${data.sdownBy}` : null,
    data.failBy > 0 ? `FAIL by ${data.failBy}` : null,
    data.pfailBy > 0 ? `PFAIL by ${data.pfailBy}` : null,
    data.dissents ? 'disagrees' : null,
    data.state !== 'up' ? data.state : null,
  ]
    .filter(Boolean)
    .join(' · ');
}

/** One box of the topology: name and role, address (the proxy: both ports), lag, slots, flags. */
export function TopologyNode({ data }: NodeProps<Node<TopologyNodeData>>) {
  const classes = ['tnode', data.role, data.state];
  if (data.sdownBy > 0) classes.push('sdown');
  if (data.odown) classes.push('odown');
  if (data.dissents) classes.push('dissents');
  if (data.selected) classes.push('selected');
  if (data.side) classes.push(`side-${data.side}`);
  if (data.failBy > 0) classes.push('fail');
  else if (data.pfailBy > 0) classes.push('pfail');
  const compact = data.narrow && data.kind === 'sentinel';
  if (compact) classes.push('compact');
  const flags = flagsOf(data);
  const title = data.name ?? data.addr;
  return (
    <div
      className={classes.join(' ')}
      role="button"
      tabIndex={0}
      aria-label={`${title}, ${data.agreedMaster ? 'master' : data.role}${flags ? `, ${flags}` : ''}`}
      data-testid={`node-${data.id}`}
      data-role={data.role}
      data-state={data.state}
      data-side={data.side ?? undefined}
      data-flags={data.failBy > 0 ? 'fail' : data.pfailBy > 0 ? 'pfail' : undefined}
      style={{
        width: data.w,
        height: data.h,
        ...(data.shard === null ? {} : { borderLeft: `6px solid ${shardColor(data.shard)}` }),
      }}
      onClick={() => data.onSelect(data.id)}
      onKeyDown={(e) => e.key === 'Enter' && data.onSelect(data.id)}
    >
      <Handles />
      {data.side && <span className="side-badge">{data.side.toUpperCase()}</span>}
      <div className="title">
        <span className="name" title={data.addr}>
          {title}
        </span>
        {!compact && <span className="role">{data.agreedMaster ? 'master' : data.role}</span>}
      </div>
      {compact ? (
        <div className={`line${data.dissents ? ' bad' : ''}`} title={data.names ?? undefined}>
          {data.state !== 'up' ? data.state : data.names ? `→ ${data.names}` : 'names none'}
        </div>
      ) : data.ports ? (
        <>
          <div className="line mono" data-testid="proxy-write">
            <span className="port-label">write</span> {data.ports.write}
          </div>
          <div className="line mono" data-testid="proxy-read">
            <span className="port-label">read</span> {data.ports.read}
          </div>
        </>
      ) : (
        <div className="line addr mono">{data.addr}</div>
      )}
      {data.slots && <div className="line slots mono">{data.slots}</div>}
      {data.lag && (
        <div className={`line lag${data.lag === 'link down' ? ' bad' : ''}`} data-testid="lag">
          {data.lag}
        </div>
      )}
      {!compact && (
        <div className="flags" title={flags}>
          {flags}
        </div>
      )}
    </div>
  );
}

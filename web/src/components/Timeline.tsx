import { memo, useMemo, useState } from 'react';
import type { QuorumEvent } from '../../../src/model/index.js';
import { clock } from '../../../src/model/format.js';
import type { FailoverGroup, TimelineItem } from '../timeline.js';
import { CLUSTER_MILESTONES, groupTimeline, groupTimes, MILESTONES } from '../timeline.js';

/** How quorum's cluster events read: flags in warning and failure colours, recoveries in green. */
const CLUSTER_TONE: Record<string, string> = {
  'quorum:node-pfail': 'quorum warn',
  'quorum:node-fail': 'quorum bad',
  'quorum:node-fail-cleared': 'quorum good',
  'quorum:cluster-failover': 'quorum good',
};

function tone(e: QuorumEvent): string {
  if (e.type === 'quorum:alert-firing') return 'quorum bad';
  if (e.type === 'quorum:alert-resolved') return 'quorum good';
  const cluster = CLUSTER_TONE[e.type];
  if (cluster) return cluster;
  if (e.type === 'quorum:cluster-state') return e.detail.to === 'ok' ? 'quorum good' : 'quorum bad';
  if (e.source === 'quorum') return e.detail.outcome === 'error' ? 'quorum bad' : 'quorum';
  if (
    e.type.startsWith('-failover-abort') ||
    e.type === '+sdown' ||
    e.type === '+odown' ||
    e.type === '+tilt'
  )
    return 'bad';
  if (
    e.type === '+switch-master' ||
    e.type === '-sdown' ||
    e.type === '-odown' ||
    e.type === '+failover-end'
  )
    return 'good';
  return '';
}

/** Memoized: an event object changes only when another sentinel reports it. */
const EventRow = memo(function EventRow({ e }: { e: QuorumEvent }) {
  const sentinels = e.reports.filter((r) => r.by !== 'quorum').length;
  return (
    <li data-type={e.type}>
      <span className="time">{clock(e.ms)}</span>
      <span className="msg">
        <span className={`type ${tone(e)}`}>{e.type}</span>
        {e.message}
        {e.source === 'sentinel' && <span className="seen">seen by {sentinels}</span>}
      </span>
    </li>
  );
});

/** Items rendered at first: the cost of a render stays flat however long the dashboard runs. */
const PAGE = 200;

const OUTCOME: Record<FailoverGroup['outcome'], string> = {
  failover: 'failover',
  aborted: 'failover aborted',
  recovered: 'master unreachable, recovered without failover',
  open: 'failover under way',
};

function GroupRow({ g }: { g: FailoverGroup }) {
  // a closed <details> still renders its children: render a group's events only when opened
  const [open, setOpen] = useState(false);
  const times = groupTimes(g);
  return (
    <li
      className="failover"
      data-testid="failover-group"
      data-outcome={g.outcome}
      data-cluster={g.cluster || undefined}
    >
      <span className="time">{clock(g.startMs)}</span>
      <span>
        <div className="summary">
          {g.cluster ? 'shard failover' : OUTCOME[g.outcome]}
          {g.to ? `: ${g.from ?? '?'} → ${g.to}` : g.from ? `: ${g.from}` : ''}
          {times && <span className="times">{`, ${times}`}</span>}
        </div>
        <div className="steps">
          {(g.cluster ? CLUSTER_MILESTONES : MILESTONES).map((m) =>
            g.milestones[m] === undefined ? null : (
              <span key={m}>
                {m.replace(/^quorum:/, '')} +{g.milestones[m]} ms
              </span>
            ),
          )}
        </div>
        <details onToggle={(e) => setOpen(e.currentTarget.open)}>
          <summary>
            {g.events.length} {g.cluster ? 'events' : 'sentinel events'}
          </summary>
          {open && (
            <ul className="timeline">
              {[...g.events].reverse().map((e) => (
                <EventRow key={e.id} e={e} />
              ))}
            </ul>
          )}
        </details>
      </span>
    </li>
  );
}

/**
 * Sentinel events and quorum's own, newest first, failovers grouped with their duration. Memoized:
 * it renders when the events change, not on every topology or sample push.
 */
export const Timeline = memo(function Timeline({
  events,
  cluster = false,
}: {
  events: QuorumEvent[];
  /** A Redis Cluster: no Sentinel there, so no choice between Sentinel's events and quorum's. */
  cluster?: boolean;
}) {
  const [text, setText] = useState('');
  const [source, setSource] = useState<'all' | 'sentinel' | 'quorum'>('all');
  const [shown, setShown] = useState(PAGE);
  const items = useMemo(() => {
    const needle = text.toLowerCase();
    const keep = (e: QuorumEvent) =>
      (source === 'all' || e.source === source) &&
      (needle === '' || `${e.type} ${e.message}`.toLowerCase().includes(needle));
    return groupTimeline(events.filter(keep)).reverse();
  }, [events, text, source]);
  return (
    <>
      <div className="filters">
        <input
          placeholder="filter events"
          value={text}
          onChange={(e) => setText(e.target.value)}
          aria-label="filter events"
        />
        {!cluster && (
          <select
            value={source}
            onChange={(e) => setSource(e.target.value as typeof source)}
            aria-label="event source"
          >
            <option value="all">all events</option>
            <option value="sentinel">Sentinel's</option>
            <option value="quorum">quorum's</option>
          </select>
        )}
      </div>
      <ul className="timeline" data-testid="timeline">
        {items.length === 0 && <li className="muted">no events yet</li>}
        {items
          .slice(0, shown)
          .map((item: TimelineItem) =>
            item.kind === 'group' ? (
              <GroupRow key={item.id} g={item} />
            ) : (
              <EventRow key={item.event.id} e={item.event} />
            ),
          )}
      </ul>
      {items.length > shown && (
        <button onClick={() => setShown((n) => n + PAGE)} style={{ marginTop: 8 }}>
          show older ({items.length - shown} more)
        </button>
      )}
    </>
  );
});

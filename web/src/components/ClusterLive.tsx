import { useEffect, useMemo, useRef, useState } from 'react';
import type { ClusterState } from '../../../src/model/cluster.js';
import { SLOT_COUNT } from '../../../src/model/slots.js';
import type { DeploymentState, Sample } from '../../../src/server/contract.js';
import type { QuorumEvent } from '../../../src/model/index.js';
import { cancelClusterJob } from '../api.js';
import { lookupKey, shardRows } from '../cluster-view.js';
import type { ShardKeys } from '../slotmap.js';
import { assignShardKeys } from '../slotmap.js';
import type { PendingAction } from './actions.js';
import { Charts } from './Charts.js';
import { ClusterActions, ClusterJobView } from './ClusterActions.js';
import { ClusterViews } from './ClusterViews.js';
import { KeyLookup } from './KeyLookup.js';
import { ShardList } from './ShardList.js';
import { SlotMap } from './SlotMap.js';
import { Timeline } from './Timeline.js';
import { TopologyGraph } from './TopologyGraph.js';
import { clusterOf } from '../../../src/model/topology.js';

/** Shard keys remembered across observations, so colours and columns survive a failover. */
function useShardKeys(cluster: ClusterState | null): ShardKeys {
  const previous = useRef<ShardKeys>({});
  const keys = useMemo(
    () => (cluster ? assignShardKeys(cluster, previous.current) : {}),
    [cluster],
  );
  useEffect(() => {
    previous.current = keys;
  }, [keys]);
  return keys;
}

/**
 * The Live tab of a Redis Cluster: shards on the graph, the slot map with a key lookup, the
 * shards table, administration with the running job, each node's view, charts and the timeline.
 */
export function ClusterLive({
  token,
  deployment,
  canAct,
  selected,
  samples,
  events,
  onSelect,
  onAction,
  onMessage,
}: {
  token: string;
  deployment: DeploymentState;
  canAct: boolean;
  selected: string | null;
  samples: Record<string, Sample[]>;
  events: QuorumEvent[];
  onSelect: (addr: string) => void;
  onAction: (action: PendingAction) => void;
  onMessage: (text: string, error: boolean) => void;
}) {
  const t = deployment.topology;
  const cluster = t ? clusterOf(t) : null;
  const keys = useShardKeys(cluster);
  const [key, setKey] = useState('');
  const names = useMemo(
    () => Object.fromEntries(deployment.processes.map((p) => [p.addr, p.name])),
    [deployment.processes],
  );
  const rows = useMemo(
    () => (t ? shardRows(t, keys, deployment.processes) : []),
    [t, keys, deployment.processes],
  );
  const addrKey = t?.nodes.map((n) => n.addr).join(',') ?? '';
  const addrs = useMemo(() => (addrKey === '' ? [] : addrKey.split(',')), [addrKey]);
  const job = deployment.clusterJob;
  const admin = deployment.capabilities.cluster.length > 0;
  const cancel = () =>
    cancelClusterJob(token, deployment.name).then(
      (text) => onMessage(text, false),
      (err: unknown) => onMessage(err instanceof Error ? err.message : String(err), true),
    );
  return (
    <div className="grid">
      <div className="stack">
        <section className="panel">
          <h2>Shards</h2>
          {t ? (
            <TopologyGraph
              topology={t}
              processes={deployment.processes}
              proxy={null}
              network={null}
              keys={keys}
              selected={selected}
              onSelect={onSelect}
            />
          ) : (
            <p className="muted">not observed yet</p>
          )}
        </section>
        {cluster && (
          <section className="panel">
            <h2>
              Slots{' '}
              <span className="pill" data-testid="slots-covered">
                {cluster.slotsCovered}/{SLOT_COUNT} assigned
              </span>
              {cluster.moves.length > 0 && (
                <span className="pill">{cluster.moves.length} open</span>
              )}
            </h2>
            <SlotMap
              cluster={cluster}
              keys={keys}
              names={names}
              highlight={key === '' ? null : lookupKey(key, cluster).slot}
            />
            <KeyLookup cluster={cluster} names={names} value={key} onChange={setKey} />
          </section>
        )}
        {(admin || job) && (
          <section className="panel" data-testid="cluster-admin">
            <h2>Administration</h2>
            {job && <ClusterJobView job={job} canAct={canAct} onCancel={() => void cancel()} />}
            {admin && (
              <ClusterActions deployment={deployment} canAct={canAct} onAction={onAction} />
            )}
          </section>
        )}
        {t && (
          <section className="panel">
            <h2>Shards by master</h2>
            <ShardList
              deployment={deployment}
              rows={rows}
              canAct={canAct}
              onSelect={onSelect}
              onAction={onAction}
            />
          </section>
        )}
        {cluster && (
          <section className="panel">
            <h2>Each node's view</h2>
            <ClusterViews cluster={cluster} names={names} />
          </section>
        )}
        <section className="panel charts-panel">
          <h2>Charts</h2>
          <Charts samples={samples} addrs={addrs} names={names} />
        </section>
      </div>
      <section className="panel timeline-panel">
        <h2>Timeline</h2>
        <Timeline events={events} cluster />
      </section>
    </div>
  );
}

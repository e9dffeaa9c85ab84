import { useCallback, useEffect, useMemo, useState } from 'react';
import type { DeploymentState, Session } from '../../../src/server/contract.js';
import { act, alertsState, client, clusterAction } from '../api.js';
import { noteClusterJob, onResync, seed, seedAlerts, useLive } from '../live.js';
import type { Route } from '../route.js';
import { closeDrawer } from '../route.js';
import { PROXY } from '../graph-nodes.js';
import { Charts } from '../components/Charts.js';
import { ClusterLive } from '../components/ClusterLive.js';
import { isClusterRequest } from '../components/cluster-actions.js';
import { Confirm } from '../components/Confirm.js';
import { DeploymentHeader } from '../components/DeploymentHeader.js';
import { ProxyDrawer } from '../components/ProxyDrawer.js';
import { NodeDrawer } from '../components/NodeDrawer.js';
import { SentinelMatrix } from '../components/SentinelMatrix.js';
import { Timeline } from '../components/Timeline.js';
import { TopologyGraph } from '../components/TopologyGraph.js';
import type { Picker } from '../components/NetworkPanel.js';
import { NetworkPanel, PICKER_OFF } from '../components/NetworkPanel.js';
import { memberAt, toggleSide } from '../partition.js';
import type { PendingAction } from '../components/actions.js';
import { isFinished } from '../../../src/model/index.js';
import { AlertsPage } from './Alerts.js';
import { DrillsPage } from './Drills.js';

/**
 * The deployment page: graph, sentinel matrix (a cluster: shards, slot map, each node's view),
 * timeline, charts; a drawer per node; actions.
 */
export function DeploymentPage({
  token,
  session,
  deployment,
  route,
  navigate,
}: {
  token: string;
  session: Session;
  deployment: DeploymentState;
  route: Route;
  navigate: (r: Route) => void;
}) {
  const live = useLive();
  const [pending, setPending] = useState<PendingAction | null>(null);
  const [toast, setToast] = useState<{ text: string; error: boolean } | null>(null);
  const [picker, setPicker] = useState<Picker>(PICKER_OFF);
  const t = deployment.topology;
  const network = deployment.network;

  useEffect(() => {
    const api = client(token).deployments[':name'];
    // past events, chart history and alerts: at first, and again after the stream was down
    const load = () => {
      void Promise.all([
        api.events.$get({ param: { name: deployment.name } }),
        api.history.$get({ param: { name: deployment.name } }),
      ]).then(async ([events, history]) => {
        if (events.ok && history.ok)
          seed(deployment.name, await events.json(), await history.json());
      });
      alertsState(token, deployment.name).then(
        (alerts) => seedAlerts(deployment.name, alerts),
        // the Alerts tab loads them again and says what failed
        () => undefined,
      );
    };
    load();
    return onResync(load);
  }, [token, deployment.name]);

  useEffect(() => {
    if (!toast) return;
    const timer = setTimeout(() => setToast(null), 6000);
    return () => clearTimeout(timer);
  }, [toast]);

  // while picking sides, a click on a node puts it on a side instead of opening its drawer
  const picking = picker.on && network !== null;
  const select = useCallback(
    (addr: string) => {
      const member = picking ? memberAt(network, addr) : null;
      if (!picking) navigate({ deployment: deployment.name, node: addr, view: 'live' });
      else if (member) setPicker((p) => ({ ...p, sides: toggleSide(p.sides, member, p.side) }));
    },
    [navigate, deployment.name, picking, network],
  );
  const networkView = useMemo(
    () => (network ? { state: network, sides: picker.sides } : null),
    [network, picker.sides],
  );

  const run = async (action: PendingAction) => {
    setPending(null);
    try {
      const request = action.request;
      if (isClusterRequest(request)) {
        // the job's own panel shows it from here on
        noteClusterJob(deployment.name, await clusterAction(token, deployment.name, request));
        return;
      }
      const { message, warning } = await act(token, deployment.name, request);
      // a warning stays as visible as an error: the person has something left to fix
      setToast({ text: message, error: warning });
    } catch (err) {
      setToast({ text: err instanceof Error ? err.message : String(err), error: true });
    }
  };

  const view = route.view ?? 'live';
  const cluster = t?.kind === 'cluster' || deployment.capabilities.cluster.length > 0;
  const canAct = session.role === 'admin' && !session.readOnly;
  const drill = live.drills[deployment.name];
  const running = drill !== undefined && !isFinished(drill);
  // a stable array while the set of nodes stays the same, so the charts are not redrawn for nothing
  const addrKey = t?.nodes.map((n) => n.addr).join(',') ?? '';
  const addrs = useMemo(() => (addrKey === '' ? [] : addrKey.split(',')), [addrKey]);
  const names = useMemo(
    () => Object.fromEntries(deployment.processes.map((p) => [p.addr, p.name])),
    [deployment.processes],
  );
  return (
    <>
      <DeploymentHeader
        session={session}
        deployment={deployment}
        cluster={cluster}
        view={view}
        running={running}
        navigate={navigate}
        onAction={setPending}
      />
      {view === 'drills' && <DrillsPage token={token} session={session} deployment={deployment} />}
      {view === 'alerts' && <AlertsPage token={token} deployment={deployment} />}
      {view === 'live' && cluster && (
        <ClusterLive
          token={token}
          deployment={deployment}
          canAct={canAct}
          selected={route.node}
          samples={live.samples[deployment.name] ?? {}}
          events={live.events[deployment.name] ?? []}
          onSelect={select}
          onAction={setPending}
          onMessage={(text, error) => setToast({ text, error })}
        />
      )}
      {view === 'live' && !cluster && (
        <div className="grid">
          <div className="stack">
            <section className="panel">
              <h2>Topology</h2>
              {t ? (
                <TopologyGraph
                  topology={t}
                  proxy={deployment.proxy}
                  processes={deployment.processes}
                  network={networkView}
                  selected={route.node}
                  onSelect={select}
                />
              ) : (
                <p className="muted">not observed yet</p>
              )}
            </section>
            {network && (
              <NetworkPanel
                token={token}
                deployment={deployment.name}
                network={network}
                topology={t}
                canAct={canAct}
                busy={running ? 'a drill is running; network faults wait until it ends' : null}
                picker={picker}
                onPicker={setPicker}
                onDone={(text) => setToast({ text, error: false })}
              />
            )}
            <section className="panel">
              <h2>Each sentinel's view</h2>
              {t?.kind === 'sentinel' && <SentinelMatrix topology={t} names={names} />}
            </section>
            <section className="panel charts-panel">
              <h2>Charts</h2>
              <Charts samples={live.samples[deployment.name] ?? {}} addrs={addrs} names={names} />
            </section>
          </div>
          <section className="panel timeline-panel">
            <h2>Timeline</h2>
            <Timeline events={live.events[deployment.name] ?? []} />
          </section>
        </div>
      )}
      {route.node === PROXY && (
        <ProxyDrawer proxy={deployment.proxy} names={names} onClose={() => closeDrawer(route)} />
      )}
      {route.node && route.node !== PROXY && (
        <NodeDrawer
          token={token}
          session={session}
          deployment={deployment}
          addr={route.node}
          onClose={() => closeDrawer(route)}
          onAction={setPending}
        />
      )}
      {pending && (
        <Confirm
          title={pending.title}
          body={pending.body}
          verb={pending.label}
          onConfirm={() => void run(pending)}
          onCancel={() => setPending(null)}
        />
      )}
      {toast && (
        <div className={`toast${toast.error ? ' error' : ''}`} role="status">
          {toast.text}
        </div>
      )}
    </>
  );
}

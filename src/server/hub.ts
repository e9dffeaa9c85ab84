import type { EventReport, QuorumEvent, Topology } from '../model/index.js';
import type { LastFailover } from '../model/index.js';
import { failoverTiming, healthProblems, lastFailoverOf, MasterMoves } from '../model/index.js';
import type { AlertConfig, AlertTransition } from '../alerts/index.js';
import { AlertEngine, DEFAULT_ALERT_CONFIG, highestSeverity, Notifiers } from '../alerts/index.js';
import type { ProcessInfo } from '../local/index.js';
import type { Deployment } from '../deployment/index.js';
import type { ProxyStats } from '../proxy/index.js';
import type { AlertsState, DeploymentState, PushMessage, Sample } from './contract.js';
import { capabilitiesOf, networkOf } from './capabilities.js';
import type { DeploymentMetrics } from '../metrics/index.js';
import { DrillDesk } from './drills.js';
import { ClusterDesk } from './cluster-jobs.js';
import { History, samplesFrom } from './history.js';
import { freshnessOf, StaleWatch } from './freshness.js';

/** Events kept in memory per deployment for the timeline. */
const EVENTS_KEPT = 2000;

interface Entry {
  source: Deployment;
  topology: Topology | null;
  processes: ProcessInfo[];
  proxy: ProxyStats | null;
  history: History;
  events: QuorumEvent[];
  alerts: AlertEngine;
  /** Times the agreed master moved to another node since the server started. */
  masterChanges: number;
  masterMoves: MasterMoves;
  lastFailover: LastFailover | null;
  detach: () => void;
}

export type Subscriber = (message: PushMessage) => void;

/**
 * Every deployment the server shows, kept current from each observer's bus, and the fan-out to
 * connected browsers. The live link is one more observer of the core: with nobody subscribed it
 * only keeps the history ring, and serializes nothing.
 */
export class Hub {
  private readonly entries = new Map<string, Entry>();
  private readonly subscribers = new Set<Subscriber>();
  /** Cluster administration started from the dashboard. */
  readonly clusterJobs = new ClusterDesk((message) => this.push(message));
  /** Drills started from the dashboard. */
  readonly drills = new DrillDesk((message) => this.push(message));
  private readonly notifiers: Notifiers;
  private readonly staleWatch = new StaleWatch(
    () => [...this.entries.values()].map((e) => [e.source.name, this.freshness(e).stale]),
    (name) => this.refresh(name),
  );

  constructor(private readonly alertConfig: AlertConfig = DEFAULT_ALERT_CONFIG) {
    this.notifiers = new Notifiers(alertConfig.notifiers, (letter) => {
      this.entries
        .get(letter.deployment)
        ?.source.observer.record(
          'quorum:notifier-failed',
          `notifier '${letter.notifier}' gave up on ${letter.kind} ${letter.alert}: ${letter.reason}`,
          {
            notifier: letter.notifier,
            alert: letter.alert,
            kind: letter.kind,
            reason: letter.reason,
          },
        );
    });
  }

  add(source: Deployment): void {
    const entry: Entry = {
      source,
      topology: source.observer.current(),
      processes: [],
      proxy: null,
      history: new History(),
      events:
        source.eventLog
          ?.read()
          .filter((e) => e.deployment === source.name)
          .slice(-EVENTS_KEPT) ?? [],
      alerts: new AlertEngine(source.name, this.alertConfig.settings),
      masterChanges: 0,
      masterMoves: new MasterMoves(),
      lastFailover: null,
      detach: () => undefined,
    };
    const onTopology = (topology: Topology) => this.onTopology(entry, topology);
    const onEvent = (event: QuorumEvent) => {
      if (event.type === '+switch-master' || event.type === 'quorum:cluster-failover') {
        entry.lastFailover = lastFailoverOf(failoverTiming(entry.events, event));
        entry.alerts.failedOver(entry.lastFailover);
      }
      entry.events.push(event);
      if (entry.events.length > EVENTS_KEPT)
        entry.events.splice(0, entry.events.length - EVENTS_KEPT);
      this.push({ type: 'event', event });
    };
    const onReport = ({ id, report }: { id: string; report: EventReport }) => {
      const event = entry.events.findLast((e) => e.id === id);
      if (event && !event.reports.some((r) => r.by === report.by)) event.reports.push(report);
      this.push({ type: 'report', deployment: source.name, id, report });
    };
    source.observer.bus.on('topology', onTopology);
    source.observer.bus.on('event', onEvent);
    source.observer.bus.on('report', onReport);
    entry.detach = () => {
      source.observer.bus.off('topology', onTopology);
      source.observer.bus.off('event', onEvent);
      source.observer.bus.off('report', onReport);
    };
    this.entries.set(source.name, entry);
    void this.refreshProcesses(entry);
  }

  private async refreshProcesses(entry: Entry): Promise<void> {
    entry.proxy = await entry.source.proxy();
    if (!entry.source.controller) return;
    try {
      entry.processes = await entry.source.controller.processes();
      this.clusterJobs.setProcesses(entry.source.name, entry.processes);
    } catch {
      // the supervisor is gone; keep the last table, the topology shows what is down
    }
  }

  private onTopology(entry: Entry, topology: Topology): void {
    entry.masterChanges += entry.masterMoves.observe(topology);
    entry.topology = topology;
    const before = entry.alerts.signature();
    for (const transition of entry.alerts.evaluate(topology)) this.onAlert(entry, transition);
    // pending alerts come and go without a transition: the page hears of every change
    if (entry.alerts.signature() !== before)
      this.push({ type: 'alerts', deployment: entry.source.name, alerts: this.alertsOf(entry) });
    const samples = samplesFrom(topology);
    entry.history.add(samples);
    void this.refreshProcesses(entry);
    if (this.subscribers.size === 0) return;
    this.push({ type: 'deployment', deployment: this.stateOf(entry) });
    this.push({
      type: 'samples',
      deployment: entry.source.name,
      t: topology.observedAtMs,
      samples,
    });
  }

  /** A firing or resolved alert: on the timeline and the event log, then to every notifier. */
  private onAlert(entry: Entry, transition: AlertTransition): void {
    const { alert } = transition;
    entry.source.observer.record(
      `quorum:alert-${transition.kind}`,
      `${transition.kind === 'firing' ? 'alert' : 'resolved'}: ${alert.rule}: ${alert.summary}`,
      { id: alert.id, rule: alert.rule, severity: alert.severity, subject: alert.subject },
    );
    this.notifiers.notify(transition);
  }

  private alertsOf(entry: Entry): AlertsState {
    return { active: entry.alerts.active(), resolved: entry.alerts.resolved() };
  }

  /** Sends the deployment's state to every browser at once (after an action changed it). */
  refresh(name: string): void {
    const entry = this.entries.get(name);
    if (entry) this.push({ type: 'deployment', deployment: this.stateOf(entry) });
  }

  /** Pending, firing and recently resolved alerts of one deployment. */
  alerts(name: string): AlertsState | null {
    const entry = this.entries.get(name);
    return entry ? this.alertsOf(entry) : null;
  }

  /** What /metrics renders: everything already observed, no Redis call. */
  metrics(): DeploymentMetrics[] {
    return [...this.entries.values()].map((entry) => ({
      name: entry.source.name,
      topology: entry.topology,
      observer: entry.source.observer.stats(),
      masterChanges: entry.masterChanges,
      lastFailover: entry.lastFailover,
      proxy: entry.proxy,
      drill: this.drills.brief(entry.source),
      alerts: entry.alerts.active(),
      network: entry.source.network?.active() ?? null,
    }));
  }

  private stateOf(entry: Entry): DeploymentState {
    const { topology } = entry;
    // what answers for the deployment: its sentinels, or a cluster's nodes
    const voices =
      topology === null
        ? []
        : topology.kind === 'cluster'
          ? topology.cluster.views
          : topology.sentinels;
    const unreachable =
      voices.length > 0 && voices.every((v) => !v.up)
        ? [...new Set(voices.map((v) => v.downReason ?? `${v.addr} gave no answer`))].join('; ')
        : null;
    const firing = entry.alerts.active().filter((a) => a.status === 'firing');
    return {
      name: entry.source.name,
      topology,
      processes: entry.processes,
      capabilities: capabilitiesOf(entry.source),
      problems: topology ? healthProblems(topology, entry.source.expect) : ['not observed yet'],
      unreachable,
      proxy: entry.proxy,
      alertsFiring: firing.length,
      alertsSeverity: highestSeverity(firing),
      network: networkOf(entry.source),
      clusterJob: this.clusterJobs.job(entry.source.name),
      links: entry.source.observer.linkReports(),
      observer: this.freshness(entry),
    };
  }

  private freshness(entry: Entry) {
    return freshnessOf(entry.source.observer.stats(), entry.topology, Date.now());
  }

  private push(message: PushMessage): void {
    for (const subscriber of this.subscribers) subscriber(message);
  }

  /** Receives every push until the returned function is called; starts with a snapshot. */
  subscribe(subscriber: Subscriber): () => void {
    subscriber({ type: 'snapshot', deployments: this.list(), drills: this.drills.all() });
    this.subscribers.add(subscriber);
    this.staleWatch.start();
    return () => {
      this.subscribers.delete(subscriber);
      if (this.subscribers.size === 0) this.staleWatch.stop();
    };
  }

  list(): DeploymentState[] {
    return [...this.entries.values()].map((e) => this.stateOf(e));
  }

  state(name: string): DeploymentState | null {
    const entry = this.entries.get(name);
    return entry ? this.stateOf(entry) : null;
  }

  source(name: string): Deployment | null {
    return this.entries.get(name)?.source ?? null;
  }

  events(name: string): QuorumEvent[] {
    return [...(this.entries.get(name)?.events ?? [])];
  }

  history(name: string): Record<string, Sample[]> {
    return this.entries.get(name)?.history.all() ?? {};
  }

  /** Stops following the observers; a drill that runs is stopped, and heals, first. */
  async close(): Promise<void> {
    await this.drills.close();
    // a move stops between two slots, so none is left open
    await this.clusterJobs.close();
    await this.notifiers.close();
    for (const entry of this.entries.values()) entry.detach();
    this.subscribers.clear();
    this.staleWatch.stop();
  }
}

import type { Addr } from '../model/index.js';
import { ClusterLinks } from '../cluster/index.js';
import type { ClusterAccess, Deployment, Job, JobRecord } from '../deployment/index.js';
import { ActionError, serveNow } from './actions.js';
import { clusterSteps, describe } from './cluster-steps.js';
import type { ClusterActionRequest, ClusterJob, PushMessage } from './contract.js';

/**
 * Cluster administration from the dashboard: each action is a job on the deployment's desk (one
 * cluster job at a time, cancel between slots, the ended job kept), run with the same services as
 * `quorum cluster ...`. This desk turns requests into steps and pushes `cluster-job` messages;
 * the latest job stays after it ends, so everyone sees how it ended.
 */
export class ClusterDesk {
  private readonly latest = new Map<string, ClusterJob>();
  private readonly running = new Set<Job>();
  /** Process names of local deployments (redis-4), so they resolve as node references too. */
  private readonly processNames = new Map<string, Map<string, Addr>>();

  constructor(private readonly push: (message: PushMessage) => void) {}

  /** The latest job of a deployment, running or ended. */
  job(deployment: string): ClusterJob | null {
    return this.latest.get(deployment) ?? null;
  }

  /** Says why not when a cluster job runs on this deployment; null when none does. */
  busy(source: Deployment): string | null {
    return source.jobs.busy('cluster');
  }

  /** Keeps the process names of a local deployment (the hub passes its process table). */
  setProcesses(deployment: string, processes: { name: string; addr: string }[]): void {
    this.processNames.set(deployment, new Map(processes.map((p) => [p.name, p.addr])));
  }

  /** Asks the running job to stop between two slots; false when none runs. */
  cancel(source: Deployment): boolean {
    return source.jobs.cancel('cluster');
  }

  /** Stops every job between two slots and waits for it. */
  async close(): Promise<void> {
    const jobs = [...this.running];
    for (const job of jobs) job.cancel();
    await Promise.all(jobs.map((job) => job.ended));
  }

  /**
   * Checks the request against what the observer sees now (so a typo is a 400 at once), then
   * runs it in the background. Returns the job as it starts.
   */
  start(source: Deployment, request: ClusterActionRequest, actor: string): ClusterJob {
    if (source.kind !== 'cluster')
      throw new ActionError(`'${source.name}' is not a Redis Cluster`, 400);
    const busy = this.busy(source);
    if (busy) throw new ActionError(`${busy}; wait for it or cancel it`, 409);
    const current = source.observer.current();
    const cluster = current?.kind === 'cluster' ? current.cluster : null;
    if (!cluster?.reference) throw new ActionError(`no node of '${source.name}' answers`, 409);
    if (request.action === 'add-node' && !source.controller)
      throw new ActionError(
        `adding a node starts a process, which only a deployment quorum launched can do; join a running node with: quorum cluster add-node ADDR --cluster ...`,
        409,
      );
    const names = new Map(this.processNames.get(source.name) ?? []);
    const job: ClusterJob = {
      id: '',
      action: request.action,
      description: describe(request, cluster, names),
      startedMs: Date.now(),
      endedMs: null,
      done: 0,
      total: request.action === 'reshard' ? request.slots : 0,
      unit: request.action === 'reshard' || request.action === 'rebalance' ? 'slots' : 'steps',
      keysMoved: 0,
      message: 'starting',
      error: null,
      state: 'running',
    };
    const { observer } = source;
    const access: ClusterAccess = {
      links: new ClusterLinks(observer.target.access),
      seeds: (observer.current()?.nodes ?? []).filter((n) => n.up).map((n) => n.addr),
      names,
    };
    const steps = clusterSteps(source, request, job, access, {
      emit: () => this.emit(source.name, job),
      started: (node) => this.processNames.get(source.name)?.set(node.name, node.addr),
    });
    if (job.unit === 'steps') job.total = steps.length;
    let started: Job;
    try {
      started = serveNow(() =>
        source.jobs.start({
          kind: `cluster:${request.action.replace(/^cluster-/, '')}`,
          description: job.description,
          by: actor,
          steps,
        }),
      );
    } catch (err) {
      void access.links.close();
      throw err;
    }
    Object.assign(job, { id: started.id, startedMs: started.snapshot().startedMs });
    this.running.add(started);
    const stepNames = steps.map((s) => s.name);
    started.on((record) => {
      job.state = record.state;
      if (job.unit !== 'steps' || record.endedMs !== null) return;
      job.done = Math.max(job.done, stepNames.indexOf(record.progress.step));
      if (record.progress.message !== null) job.message = record.progress.message;
      this.emit(source.name, job);
    });
    const action = request.action.startsWith('cluster-')
      ? request.action
      : `cluster-${request.action}`;
    observer.record('quorum:action', `started: ${job.description}`, {
      action,
      by: actor,
      outcome: 'started',
    });
    void started.ended
      .then(async (record) => {
        await access.links.close().catch(() => undefined);
        this.running.delete(started);
        this.end(job, record);
        observer.record(
          'quorum:action',
          job.error
            ? `${job.description} failed: ${job.error}`
            : `${job.description}: ${job.message}`,
          { action, by: actor, outcome: outcomeOf(record) },
        );
        this.emit(source.name, job);
        // look at the cluster now rather than at the next tick
        void observer.fresh().catch(() => undefined);
      })
      // what is said of an ended job must never take the server down with it
      .catch(() => undefined);
    this.latest.set(source.name, job);
    this.emit(source.name, job);
    return { ...job };
  }

  private end(job: ClusterJob, record: JobRecord): void {
    job.state = record.state;
    job.endedMs = record.endedMs ?? Date.now();
    if (record.state === 'succeeded') {
      job.message = record.result ?? 'done';
      job.done = job.total;
    } else {
      job.error = record.error;
      job.message = record.state === 'cancelled' ? 'cancelled' : 'failed';
    }
  }

  private emit(deployment: string, job: ClusterJob): void {
    this.push({ type: 'cluster-job', deployment, job: { ...job } });
  }
}

function outcomeOf(record: JobRecord): 'ok' | 'failed' | 'cancelled' {
  return record.state === 'succeeded'
    ? 'ok'
    : record.state === 'cancelled'
      ? 'cancelled'
      : 'failed';
}

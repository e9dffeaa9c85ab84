import type { Addr } from '../model/index.js';
import {
  addNode,
  ClusterLinks,
  clusterFailover,
  delNode,
  rebalance,
  reshard,
  resolveClusterNode,
} from '../cluster/index.js';
import type { MoveProgress } from '../cluster/index.js';
import { ActionError } from './actions.js';
import type { ClusterActionRequest, ClusterJob, PushMessage } from './contract.js';
import type { DeploymentSource } from './hub.js';

/** Progress is pushed at most this often; the end always is. */
const PUSH_EVERY_MS = 250;

interface Running {
  job: ClusterJob;
  abort: AbortController;
  done: Promise<void>;
}

let sequence = 0;

/**
 * Cluster administration started from the dashboard: at most one job per deployment, run in
 * this process with the same functions as `quorum cluster ...`, progress pushed to every browser.
 * The last job stays after it ends, so everyone sees how it ended.
 */
export class ClusterDesk {
  private readonly running = new Map<string, Running>();
  private readonly latest = new Map<string, ClusterJob>();

  constructor(private readonly push: (message: PushMessage) => void) {}

  /** The latest job of a deployment, running or ended. */
  job(deployment: string): ClusterJob | null {
    return this.latest.get(deployment) ?? null;
  }

  /** Says why not when a job runs on this deployment; null when none does. */
  busy(deployment: string): string | null {
    const running = this.running.get(deployment);
    return running ? `a cluster job runs on '${deployment}' (${running.job.description})` : null;
  }

  /** Stops every job between two slots and waits for it. */
  async close(): Promise<void> {
    for (const running of this.running.values()) running.abort.abort();
    await Promise.all([...this.running.values()].map((r) => r.done));
  }

  /** Asks the running job to stop between two slots; false when none runs. */
  cancel(deployment: string): boolean {
    const running = this.running.get(deployment);
    running?.abort.abort();
    return running !== undefined;
  }

  /**
   * Checks the request against what the observer sees now (so a typo is a 400 at once), then
   * runs it in the background. Returns the job as it starts.
   */
  start(source: DeploymentSource, request: ClusterActionRequest, actor: string): ClusterJob {
    if (source.observer.target.mode !== 'cluster')
      throw new ActionError(`'${source.name}' is not a Redis Cluster`, 400);
    const busy = this.busy(source.name);
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
    const describe = (text: string) => {
      try {
        return resolveClusterNode(cluster, text, names).addr;
      } catch (err) {
        throw new ActionError(err instanceof Error ? err.message : String(err), 400);
      }
    };
    const job: ClusterJob = {
      id: `${Date.now().toString(36)}-${(sequence++).toString(36)}`,
      action: request.action,
      description: '',
      startedMs: Date.now(),
      endedMs: null,
      done: 0,
      total: 0,
      unit: request.action === 'reshard' || request.action === 'rebalance' ? 'slots' : 'steps',
      keysMoved: 0,
      message: 'starting',
      error: null,
    };
    switch (request.action) {
      case 'cluster-failover':
        job.description = `promote ${describe(request.node)} (CLUSTER FAILOVER${request.mode === 'default' ? '' : ` ${request.mode.toUpperCase()}`})`;
        break;
      case 'reshard':
        job.description = `move ${request.slots} slots from ${describe(request.from)} to ${describe(request.to)}`;
        job.total = request.slots;
        break;
      case 'rebalance':
        job.description = `rebalance the slots${request.useEmptyMasters ? ', empty masters included' : ''}`;
        break;
      case 'add-node': {
        const of = request.replicaOf ? describe(request.replicaOf) : null;
        // checked before a process starts, so a typo leaves no stray node behind
        if (of && !cluster.shards.some((shard) => shard.master === of))
          throw new ActionError(
            `${of} is not a master; a new node can only replicate a master`,
            400,
          );
        job.description = `start a new node and join it${of ? ` as a replica of ${of}` : ' as an empty master'}`;
        break;
      }
      case 'del-node':
        job.description = `remove ${describe(request.node)} from the cluster`;
        break;
    }
    const abort = new AbortController();
    this.latest.set(source.name, job);
    this.emit(source.name, job);
    const done = this.run(source, request, job, names, abort.signal, actor);
    this.running.set(source.name, { job, abort, done });
    return { ...job };
  }

  /** Process names of local deployments (redis-4), so they resolve as node references too. */
  private readonly processNames = new Map<string, Map<string, Addr>>();

  /** Keeps the process names of a local deployment (the hub passes its process table). */
  setProcesses(deployment: string, processes: { name: string; addr: string }[]): void {
    this.processNames.set(deployment, new Map(processes.map((p) => [p.name, p.addr])));
  }

  private emit(deployment: string, job: ClusterJob): void {
    this.push({ type: 'cluster-job', deployment, job: { ...job } });
  }

  private async run(
    source: DeploymentSource,
    request: ClusterActionRequest,
    job: ClusterJob,
    names: Map<string, Addr>,
    signal: AbortSignal,
    actor: string,
  ): Promise<void> {
    const { observer } = source;
    const links = new ClusterLinks(observer.target.password);
    const seeds = (observer.current()?.nodes ?? []).filter((n) => n.up).map((n) => n.addr);
    let lastPush = 0;
    const progress = (p: MoveProgress, extra = '') => {
      job.done = p.slotsDone;
      job.total = Math.max(job.total, p.slotsTotal);
      job.keysMoved = p.keysMoved;
      job.message = `${p.slotsDone}/${p.slotsTotal} slots, ${p.keysMoved} keys moved${extra}`;
      if (Date.now() - lastPush < PUSH_EVERY_MS) return;
      lastPush = Date.now();
      this.emit(source.name, job);
    };
    const action = request.action.startsWith('cluster-')
      ? request.action
      : `cluster-${request.action}`;
    observer.record('quorum:action', `started: ${job.description}`, {
      action,
      by: actor,
      outcome: 'started',
    });
    try {
      job.message = await this.perform(source, request, job, links, seeds, names, signal, progress);
      job.done = job.total;
    } catch (err) {
      job.error = err instanceof Error ? err.message : String(err);
      job.message = signal.aborted ? 'cancelled' : 'failed';
    } finally {
      await links.close();
      job.endedMs = Date.now();
      this.running.delete(source.name);
      observer.record(
        'quorum:action',
        job.error
          ? `${job.description} failed: ${job.error}`
          : `${job.description}: ${job.message}`,
        {
          action,
          by: actor,
          outcome: signal.aborted ? 'cancelled' : job.error ? 'failed' : 'ok',
        },
      );
      this.emit(source.name, job);
      // look at the cluster now rather than at the next tick
      void observer.fresh().catch(() => undefined);
    }
  }

  /** Runs one action; resolves to the sentence that ends the job. */
  private async perform(
    source: DeploymentSource,
    request: ClusterActionRequest,
    job: ClusterJob,
    links: ClusterLinks,
    seeds: Addr[],
    names: Map<string, Addr>,
    signal: AbortSignal,
    progress: (p: MoveProgress, extra?: string) => void,
  ): Promise<string> {
    switch (request.action) {
      case 'cluster-failover': {
        const r = await clusterFailover(links, seeds, request.node, { mode: request.mode, names });
        return `${r.replica} replaced ${r.oldMaster} as master in ${(r.ms / 1000).toFixed(1)} s`;
      }
      case 'reshard': {
        const r = await reshard(links, seeds, {
          from: request.from,
          to: request.to,
          slots: request.slots,
          names,
          progress,
          signal,
        });
        return `moved ${r.slotsMoved} slots and ${r.keysMoved} keys from ${r.from} to ${r.to} in ${(r.ms / 1000).toFixed(1)} s`;
      }
      case 'rebalance': {
        const r = await rebalance(links, seeds, {
          useEmptyMasters: request.useEmptyMasters,
          progress: (p) => progress(p, ` (${p.from} -> ${p.to})`),
          signal,
        });
        const slots = r.moves.reduce((sum, m) => sum + m.slots, 0);
        return r.moves.length === 0
          ? 'the slots were already balanced; nothing moved'
          : `moved ${slots} slots and ${r.keysMoved} keys in ${r.moves.length} moves in ${(r.ms / 1000).toFixed(1)} s`;
      }
      case 'add-node': {
        const controller = source.controller;
        if (!controller) throw new Error('no local supervisor to start the node');
        job.total = 2;
        const started = await controller.addNode('dashboard');
        names.set(started.name, started.addr);
        this.processNames.get(source.name)?.set(started.name, started.addr);
        job.done = 1;
        job.message = `started ${started.name} (${started.addr}); joining it`;
        this.emit(source.name, job);
        let r: Awaited<ReturnType<typeof addNode>>;
        try {
          r = await addNode(links, seeds, started.addr, { replicaOf: request.replicaOf, names });
        } catch (err) {
          // not joined: stop it again, so no node outside the cluster is left running
          await controller.removeNode(started.name, 'dashboard').catch(() => undefined);
          throw err;
        }
        return `${started.name} (${r.addr}) joined as ${r.role === 'replica' ? `a replica of ${request.replicaOf ?? ''}` : 'an empty master (rebalance to give it slots)'}`;
      }
      case 'del-node': {
        const r = await delNode(links, seeds, request.node, { names });
        source.observer.forget(r.addr);
        const name = [...names].find(([, a]) => a === r.addr)?.[0];
        // quorum's own process: stopped and kept out of later starts
        const stopped =
          name && source.controller ? await source.controller.removeNode(name, 'dashboard') : null;
        const reset = r.resetError
          ? `; CLUSTER RESET on it failed (${r.resetError})`
          : ', CLUSTER RESET on it';
        return `${r.addr} left the cluster (CLUSTER FORGET on every node${reset})${stopped ? `; ${stopped}` : ''}`;
      }
    }
  }
}

import type { Server } from 'node:net';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Topology } from '../model/index.js';
import { UserError } from '../model/index.js';
import type { Observer } from '../observer/index.js';
import { EventLog } from '../observer/index.js';
import type { ProxyStats } from '../proxy/index.js';
import type { LocalAccess } from './access.js';
import { localAccess } from './access.js';
import { addClusterNode, removeClusterNode } from './cluster-members.js';
import type { NodeController, ProcessAction, ProcessInfo } from './control.js';
import { socketPathFor } from './control.js';
import { serveControl } from './control-socket.js';
import { controlHandler } from './control-server.js';
import type { SupervisorHost, SupervisorState } from './host.js';
import { destroyLab } from './lab.js';
import { restartCrashed, runNodeAction } from './node-actions.js';
import type { Launch, ProcessState, SupervisedProcess } from './process.js';
import { ProcessTable } from './process-table.js';
import { waitForAnswer } from './readiness.js';
import { RestartPolicy } from './restart-policy.js';
import type { LocalSpec } from './spec.js';
import {
  createLabFor,
  observerFor,
  recordUp,
  startInOrder,
  waitHealthy,
} from './start-sequence.js';
import type { SupervisedProxy } from './state-file.js';
import { SupervisorStateFile } from './state-file.js';

export type { SupervisorState } from './host.js';
export type { SupervisedProxy } from './state-file.js';

export interface SupervisorOptions {
  /** Absolute data directory. */
  dir: string;
  spec: LocalSpec;
  redisServer: Launch;
  redisSentinel: Launch;
  log: Logger;
  /** Lines for the person watching the start. */
  progress: (line: string) => void;
  /** How long to wait for the whole deployment to become healthy. @default 60000 */
  healthTimeoutMs: number;
}

/** What exists only between `launch()` and the end of `shutdown()`. */
interface Running {
  /** How quorum reaches the processes. */
  access: LocalAccess;
  observer: Observer;
  control: Server | null;
  unfollow: () => void;
}

/**
 * Owns one local deployment, in parts: the process table (processes and the spec's record of
 * added and removed nodes), the state file, the restart policy and the control socket. Its own
 * lifecycle is one state (`idle -> starting -> healthy | failed`, then `stopping -> stopped`);
 * constructing it creates nothing, `launch()` creates the lab, starts everything in order and
 * waits for real health. Actions on nodes take one lock, so they never overlap.
 */
export class Supervisor {
  private readonly table: ProcessTable;
  private readonly stateFile: SupervisorStateFile;
  private readonly restarts: RestartPolicy;
  private readonly socketPath: string;
  private current: SupervisorState = 'idle';
  private running: Running | null = null;
  private lock: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: SupervisorOptions) {
    const { dir, spec } = options;
    this.socketPath = socketPathFor(dir);
    this.table = new ProcessTable(spec, {
      dir,
      redisServer: options.redisServer,
      redisSentinel: options.redisSentinel,
      onState: (proc, change) => this.onProcessState(proc, change),
    });
    this.stateFile = new SupervisorStateFile(dir, this.socketPath, this.table);
    this.restarts = new RestartPolicy((name) => this.autorestart(name));
  }

  /** How quorum reaches the processes; known from `launch()` on. */
  get access(): LocalAccess {
    return this.launched().access;
  }

  /** The deployment's observer; it exists from `launch()` on. */
  get observer(): Observer {
    if (!this.running) throw new Error('the supervisor has not been launched');
    return this.running.observer;
  }

  state(): SupervisorState {
    return this.current;
  }

  private setState(next: SupervisorState, error: string | null = null): void {
    if (next === this.current && error === null) return;
    const from = this.current;
    this.options.log.info({ from, to: next }, `supervisor: ${from} -> ${next}`);
    this.current = next;
    this.stateFile.write(next, error);
  }

  private persist(): void {
    this.stateFile.write(this.current);
  }

  /** Records the proxy this process runs for the deployment, for `status` to show. */
  setProxy(proxy: SupervisedProxy | null): void {
    this.stateFile.proxy = proxy;
    this.persist();
  }

  proxyStats(): ProxyStats | null {
    return this.stateFile.proxy?.stats() ?? null;
  }

  /** Records where the dashboard for this deployment is served, for `up --detach` to print. */
  setDashboard(dashboard: { url: string; token: string } | null): void {
    this.stateFile.dashboard = dashboard;
    this.persist();
  }

  private host(running: Running): SupervisorHost {
    return {
      spec: this.options.spec,
      access: running.access,
      table: this.table,
      observer: running.observer,
      state: () => this.current,
      startAndAnswer: (proc, extraArgs) => this.startAndAnswer(proc, extraArgs ?? []),
      events: () => new EventLog(join(this.options.dir, 'events.jsonl')).read(),
      persist: () => this.persist(),
      exclusive: (work) => this.exclusive(work),
    };
  }

  private launched(): SupervisorHost {
    if (!this.running) throw new UserError(`the deployment is ${this.current}`);
    return this.host(this.running);
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const next = this.lock.then(work, work);
    this.lock = next.catch(() => undefined);
    return next;
  }

  /**
   * Creates the lab (if the spec asks for one), starts everything and waits for health; on
   * failure stops what it started and throws.
   */
  async launch(): Promise<Topology> {
    if (this.current !== 'idle') throw new Error(`the supervisor is ${this.current}`);
    const { spec, progress } = this.options;
    // before any process starts: their configs and quorum's links name these files
    await this.table.ensureCertificates();
    this.stateFile.startedAtMs = Date.now();
    this.setState('starting');
    // the lab's addresses must exist before the observer's links start connecting to them
    createLabFor(spec, this.table, progress);
    const access = localAccess(spec, this.options.dir);
    const observer = observerFor(spec, this.table, access);
    const running: Running = { access, observer, control: null, unfollow: () => undefined };
    this.running = running;
    try {
      running.control = await serveControl(this.socketPath, controlHandler(this));
      return await this.exclusive(() => this.startAll(running));
    } catch (err) {
      // an interrupted start is cleaned up by shutdown(), which waits for this lock
      if (this.state() === 'stopping')
        throw new UserError('the start was interrupted; every process was stopped');
      const message = err instanceof Error ? err.message : String(err);
      await this.stopAll(running);
      this.setState('failed', message);
      await this.closeControl(running);
      throw err;
    }
  }

  private checkInterrupted(): void {
    if (this.current === 'stopping') throw new UserError('the start was interrupted');
  }

  private async startAll(running: Running): Promise<Topology> {
    const { spec, progress, dir, healthTimeoutMs } = this.options;
    running.unfollow = new EventLog(join(dir, 'events.jsonl')).follow(running.observer.bus);
    await startInOrder(this.host(running), { progress, dir });
    await running.observer.start();
    const topology = await waitHealthy(running.observer, spec, {
      healthTimeoutMs,
      dir,
      checkInterrupted: () => this.checkInterrupted(),
    });
    this.setState('healthy');
    recordUp(running.observer, spec, topology);
    return topology;
  }

  private async startAndAnswer(proc: SupervisedProcess, extraArgs: string[]): Promise<void> {
    const addr = this.table.addrOf(proc);
    await proc.start(extraArgs);
    const { access } = this.launched();
    const of = proc.plan.kind === 'sentinel' ? access.sentinel : access.node;
    await waitForAnswer(proc, addr, of, () => this.checkInterrupted());
    this.options.progress(
      `started ${proc.plan.name.padEnd(11)} ${addr.padEnd(16)} pid ${proc.pid ?? '?'}`,
    );
    this.persist();
  }

  private onProcessState(
    proc: SupervisedProcess,
    { from, to, detail }: { from: ProcessState; to: ProcessState; detail: string },
  ): void {
    const { name } = proc.plan;
    this.options.log.info(
      { process: name, from, to, detail },
      `${name}: ${from} -> ${to}${detail ? ` (${detail})` : ''}`,
    );
    if (to !== 'exited' || this.current === 'stopping' || this.current === 'stopped') return;
    const addr = this.table.addrOf(proc);
    this.running?.observer.record('quorum:process-exited', `${name} (${addr}) exited: ${detail}`, {
      name,
      addr,
      detail,
    });
    this.persist();
    if (this.options.spec.autorestart && this.current === 'healthy') this.restarts.crashed(name);
  }

  private autorestart(name: string): void {
    const proc = this.table.all().find((p) => p.plan.name === name);
    if (!proc || proc.getState() !== 'exited' || this.current !== 'healthy') return;
    const host = this.launched();
    void this.exclusive(() => restartCrashed(host, proc, this.options.log));
  }

  /** Acts on one process; returns a sentence saying what happened. */
  nodeAction(
    action: ProcessAction,
    target: string,
    actor = 'cli',
    progress?: (line: string) => void,
  ): Promise<string> {
    // refused before queueing: a request waiting on the lock would hold up a shutdown
    if (this.current !== 'healthy')
      return Promise.reject(
        new UserError(`the deployment is ${this.current}; node actions wait until it is healthy`),
      );
    return this.exclusive(() => {
      if (this.current !== 'healthy')
        throw new UserError(`the deployment is ${this.current}; node actions are refused`);
      return runNodeAction(this.launched(), action, target, actor, progress);
    });
  }

  /** Cluster mode: starts one more empty node (see addClusterNode). */
  addNode(actor = 'cli'): Promise<{ name: string; addr: string }> {
    return addClusterNode(this.launched(), actor);
  }

  /** Cluster mode, after `cluster del-node`: stops the node for good (see removeClusterNode). */
  removeNode(target: string, actor = 'cli'): Promise<string> {
    return removeClusterNode(this.launched(), target, actor);
  }

  processInfo(): ProcessInfo[] {
    return this.table.info();
  }

  /** The supervisor as a NodeController, for the dashboard running in this process. */
  controller(): NodeController {
    return {
      act: (action, target, actor, progress) => this.nodeAction(action, target, actor, progress),
      processes: () => Promise.resolve(this.processInfo()),
      addNode: (actor) => this.addNode(actor),
      removeNode: (target, actor) => this.removeNode(target, actor),
      recordsActions: true,
      record: (type, message, detail) => {
        this.observer.record(type, message, detail);
        return Promise.resolve();
      },
    };
  }

  private async stopAll(running: Running): Promise<void> {
    await running.observer.stop();
    running.unfollow();
    running.unfollow = () => undefined;
    await this.table.stopAll();
    // the namespaces go with their rules, veths and qdiscs
    const { lab } = this.options.spec;
    if (lab) destroyLab(lab);
  }

  private async closeControl(running: Running): Promise<void> {
    const { control } = running;
    running.control = null;
    if (control) await new Promise<void>((resolve) => control.close(() => resolve()));
  }

  /** Stops every process (SIGTERM, then SIGKILL after a timeout) and the control socket. */
  shutdown(): Promise<void> {
    if (this.current === 'stopping' || this.current === 'stopped')
      return this.lock.then(() => undefined);
    const running = this.running;
    this.setState('stopping');
    return this.exclusive(async () => {
      if (running) {
        running.observer.record(
          'quorum:down',
          `deployment '${this.options.spec.name}' is stopping`,
          {},
        );
        await this.stopAll(running);
        await this.closeControl(running);
      }
      this.setState('stopped');
    });
  }
}

import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:net';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Topology } from '../model/index.js';
import type { ProxyStats } from '../proxy/index.js';
import { agreedMaster, formatAddr, healthProblems, parseAddr, UserError } from '../model/index.js';
import { EventLog, Observer } from '../observer/index.js';
import type {
  ControlRequest,
  ControlResponse,
  NodeController,
  ProcessAction,
  ProcessInfo,
} from './control.js';
import { serveControl, socketPathFor } from './control.js';
import type { Launch } from './process.js';
import { SupervisedProcess } from './process.js';
import { waitForAnswer, waitForReplicas } from './readiness.js';
import { findProcess } from './find-process.js';
import { renderRedisConf, renderSentinelConf } from './render.js';
import type { LocalSpec, PlannedProcess } from './spec.js';
import { expectationOf, planProcesses } from './spec.js';
import { clientMembers, createLab, destroyLab } from './lab.js';
import type { MembershipHost } from './cluster-members.js';
import { addClusterNode, formClusterOnce, removeClusterNode } from './cluster-members.js';
import type { LocalState } from './state.js';
import { writeState } from './state.js';

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

export type SupervisorStatus = LocalState['status'];

/** The proxy running next to the supervisor: where it listens and how it is doing. */
export interface SupervisedProxy {
  endpoints: { write: string; read: string };
  stats(): ProxyStats;
}

/** How long after down-after a failover has surely started, if it can (REFERENCE.md: 1 to 2.5 s). */
const FAILOVER_MARGIN_MS = 5_000;
/** Autorestart waits this long, doubled for each crash within a minute, capped at 30 s. */
const RESTART_BASE_MS = 1_000;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Owns every process of one local deployment: starts them in order, waits for real health, acts
 * on one node at a time (a lock keeps actions from overlapping), restarts crashed processes only
 * when asked to, and stops everything on shutdown. It also runs the deployment's observer and
 * writes its events to `<dir>/events.jsonl`.
 */
export class Supervisor {
  readonly observer: Observer;
  private readonly processes: SupervisedProcess[];
  private readonly eventLog: EventLog;
  private readonly socketPath: string;
  private status: SupervisorStatus = 'starting';
  private control: Server | null = null;
  private lock: Promise<unknown> = Promise.resolve();
  private unfollow: (() => void) | null = null;
  private readonly crashes = new Map<string, number[]>();
  private startedAtMs = Date.now();
  private dashboard: { url: string; token: string } | null = null;
  private proxy: SupervisedProxy | null = null;

  constructor(private readonly options: SupervisorOptions) {
    const { dir, spec } = options;
    this.socketPath = socketPathFor(dir);
    this.processes = planProcesses(spec).map((plan) => this.supervise(plan));
    // the lab's addresses must exist before the observer's links start connecting to them
    if (spec.lab) {
      options.progress(`creating the lab network ${spec.lab.subnet} (a namespace per process)`);
      createLab(spec.lab, [
        ...this.processes.map((p) => ({
          name: p.plan.name,
          netns: p.plan.netns ?? '',
          addr: p.plan.host,
        })),
        ...clientMembers(spec.lab),
      ]);
    }
    const addrs = (kind: 'redis' | 'sentinel') =>
      this.processes
        .filter((p) => p.plan.kind === kind)
        .map((p) => formatAddr(p.plan.host, p.plan.port));
    this.observer = new Observer({
      name: spec.name,
      masterName: spec.name,
      sentinels: addrs('sentinel'),
      nodes: addrs('redis'),
      password: spec.password,
      sentinelPassword: spec.password,
      mode: spec.mode,
    });
    this.eventLog = new EventLog(join(dir, 'events.jsonl'));
  }

  private supervise(plan: PlannedProcess): SupervisedProcess {
    const { dir, redisSentinel, redisServer } = this.options;
    const procDir = join(dir, plan.name);
    const file = join(procDir, plan.kind === 'sentinel' ? 'sentinel.conf' : 'redis.conf');
    const proc = new SupervisedProcess(
      plan,
      procDir,
      file,
      plan.kind === 'sentinel' ? redisSentinel : redisServer,
    );
    proc.on('state', ({ from, to, detail }) => this.onProcessState(proc, from, to, detail));
    return proc;
  }

  /** What the cluster membership changes (cluster-members.ts) may use of the supervisor. */
  private membership(): MembershipHost {
    return {
      spec: this.options.spec,
      status: () => this.status,
      processes: this.processes,
      observer: this.observer,
      supervise: (plan) => this.supervise(plan),
      renderConfigs: () => this.renderConfigs(),
      startAndAnswer: (proc) => this.startAndAnswer(proc, []),
      persist: () => this.persist(),
      resolve: (target) => this.resolve(target),
      addrOf: (proc) => this.addrOf(proc),
      exclusive: (work) => this.exclusive(work),
    };
  }

  /** Cluster mode: starts one more empty node (see addClusterNode). */
  addNode(actor = 'cli'): Promise<{ name: string; addr: string }> {
    return addClusterNode(this.membership(), actor);
  }

  /** Cluster mode, after `cluster del-node`: stops the node for good (see removeClusterNode). */
  removeNode(target: string, actor = 'cli'): Promise<string> {
    return removeClusterNode(this.membership(), target, actor);
  }

  private addrOf(proc: SupervisedProcess): string {
    return formatAddr(proc.plan.host, proc.plan.port);
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const next = this.lock.then(work, work);
    this.lock = next.catch(() => undefined);
    return next;
  }

  /** Writes configs for processes that have none yet; existing ones (rewritten by Redis) stay. */
  private renderConfigs(): void {
    const { spec } = this.options;
    for (const proc of this.processes) {
      mkdirSync(proc.dir, { recursive: true, mode: 0o700 });
      if (existsSync(proc.configFile)) continue;
      const text =
        proc.plan.kind === 'sentinel'
          ? renderSentinelConf(spec, proc.plan, proc.dir)
          : renderRedisConf(spec, proc.plan, proc.dir);
      writeFileSync(proc.configFile, text, { mode: 0o600 });
    }
  }

  private persist(error: string | null = null): void {
    writeState(this.options.dir, {
      version: 1,
      status: this.status,
      spec: this.options.spec,
      supervisor:
        this.status === 'stopped' || this.status === 'failed'
          ? null
          : { pid: process.pid, socket: this.socketPath, startedAtMs: this.startedAtMs },
      processes: this.processes.map((p) => ({
        name: p.plan.name,
        kind: p.plan.kind,
        port: p.plan.port,
        host: p.plan.host,
        dir: p.dir,
        pid: p.pid,
      })),
      error,
      dashboard: this.status === 'stopped' || this.status === 'failed' ? null : this.dashboard,
      proxy:
        this.status === 'stopped' || this.status === 'failed' || !this.proxy
          ? null
          : this.proxy.endpoints,
    });
  }

  /** Records the proxy this process runs for the deployment, for `status` to show. */
  setProxy(proxy: SupervisedProxy | null): void {
    this.proxy = proxy;
    this.persist();
  }

  /** Records where the dashboard for this deployment is served, for `up --detach` to print. */
  setDashboard(dashboard: { url: string; token: string } | null): void {
    this.dashboard = dashboard;
    this.persist();
  }

  private setStatus(next: SupervisorStatus, error: string | null = null): void {
    if (next === this.status && error === null) return;
    this.options.log.info({ from: this.status, to: next }, `supervisor: ${this.status} -> ${next}`);
    this.status = next;
    this.persist(error);
  }

  /** Starts everything and waits for health; on failure stops what it started and throws. */
  async launch(): Promise<Topology> {
    this.startedAtMs = Date.now();
    this.setStatus('starting');
    this.control = await serveControl(this.socketPath, (request) => this.handle(request));
    try {
      return await this.exclusive(() => this.startAll());
    } catch (err) {
      // an interrupted start is cleaned up by shutdown(), which waits for this lock
      if (this.status === 'stopping')
        throw new UserError('the start was interrupted; every process was stopped');
      const message = err instanceof Error ? err.message : String(err);
      await this.stopAll();
      this.setStatus('failed', message);
      await this.closeControl();
      throw err;
    }
  }

  private checkInterrupted(): void {
    if (this.status === 'stopping') throw new UserError('the start was interrupted');
  }

  private async startAll(): Promise<Topology> {
    this.renderConfigs();

    this.unfollow = this.eventLog.follow(this.observer.bus);
    const data = this.processes.filter((p) => p.plan.kind === 'redis');
    for (const proc of data) await this.startAndAnswer(proc, []);
    if (this.options.spec.mode === 'cluster') return this.formCluster(data);
    const first = data[0];
    if (first && data.length > 1) {
      await waitForReplicas(this.addrOf(first), this.options.spec.password, data.length - 1);
    }
    for (const proc of this.processes.filter((p) => p.plan.kind === 'sentinel'))
      await this.startAndAnswer(proc, []);
    this.options.progress(
      'waiting for the sentinels to agree (replicas linked, sentinels know each other, CKQUORUM ok)',
    );
    await this.observer.start();
    const topology = await this.waitHealthy();
    this.setStatus('healthy');
    this.observer.record('quorum:up', `deployment '${this.options.spec.name}' is healthy`, {
      master: agreedMaster(topology),
    });
    return topology;
  }

  /**
   * Cluster mode: on the first start the nodes are empty and quorum joins them (slots, MEET,
   * REPLICATE); on a later start each node's nodes.conf brings the cluster back by itself.
   */
  private async formCluster(data: SupervisedProcess[]): Promise<Topology> {
    const { spec, progress, dir } = this.options;
    await formClusterOnce(
      data.map((p) => ({ plan: p.plan, addr: this.addrOf(p) })),
      { password: spec.password, progress, dir },
    );
    progress(
      'waiting for the cluster (cluster_state:ok on every node, one slot map, replicas linked)',
    );
    await this.observer.start();
    const topology = await this.waitHealthy();
    this.setStatus('healthy');
    this.observer.record('quorum:up', `cluster '${spec.name}' is healthy`, {
      masters:
        topology.kind === 'cluster'
          ? topology.cluster.shards.filter((s) => s.slotCount > 0).length
          : 0,
    });
    return topology;
  }

  private async startAndAnswer(proc: SupervisedProcess, extraArgs: string[]): Promise<void> {
    const addr = this.addrOf(proc);
    await proc.start(extraArgs);
    await waitForAnswer(proc, this.addrOf(proc), this.options.spec.password, () =>
      this.checkInterrupted(),
    );
    this.options.progress(
      `started ${proc.plan.name.padEnd(11)} ${addr.padEnd(16)} pid ${proc.pid ?? '?'}`,
    );
    this.persist();
  }

  private async waitHealthy(): Promise<Topology> {
    const { spec, healthTimeoutMs } = this.options;
    const deadline = Date.now() + healthTimeoutMs;
    let problems: string[] = [];
    for (;;) {
      this.checkInterrupted();
      const topology = await this.observer.poll();
      problems = healthProblems(topology, expectationOf(spec));
      if (problems.length === 0) return topology;
      if (Date.now() > deadline) break;
      await sleep(250);
    }
    throw new UserError(
      `the deployment did not become healthy within ${Math.round(healthTimeoutMs / 1000)} s: ${problems.join('; ')}; logs are in ${this.options.dir}`,
    );
  }

  private onProcessState(proc: SupervisedProcess, from: string, to: string, detail: string): void {
    this.options.log.info(
      { process: proc.plan.name, from, to, detail },
      `${proc.plan.name}: ${from} -> ${to}${detail ? ` (${detail})` : ''}`,
    );
    if (to !== 'exited' || this.status === 'stopping' || this.status === 'stopped') return;
    this.observer.record(
      'quorum:process-exited',
      `${proc.plan.name} (${this.addrOf(proc)}) exited: ${detail}`,
      {
        name: proc.plan.name,
        addr: this.addrOf(proc),
        detail,
      },
    );
    this.persist();
    if (this.options.spec.autorestart && this.status === 'healthy') this.scheduleRestart(proc);
  }

  private scheduleRestart(proc: SupervisedProcess): void {
    const now = Date.now();
    const recent = (this.crashes.get(proc.plan.name) ?? []).filter((t) => now - t < 60_000);
    recent.push(now);
    this.crashes.set(proc.plan.name, recent);
    const delay = Math.min(RESTART_BASE_MS * 2 ** (recent.length - 1), 30_000);
    setTimeout(() => {
      if (proc.getState() !== 'exited' || this.status !== 'healthy') return;
      this.exclusive(() => this.startNode(proc, 'autorestart')).catch((err: unknown) => {
        this.options.log.warn(
          { process: proc.plan.name, err: (err as Error).message },
          'autorestart failed',
        );
      });
    }, delay).unref();
  }

  private resolve(target: string): SupervisedProcess {
    return findProcess(this.processes, target);
  }

  /**
   * A master that crashed comes back with whatever its last RDB holds; started as a master while
   * the sentinels still name it, its replicas would resync from it and lose every newer write.
   * So wait until the sentinels have failed over, or until they had every chance to
   * (down-after plus a margin) and still name it, as when too few sentinels are left.
   */
  private async waitForFailoverOf(proc: SupervisedProcess): Promise<void> {
    const addr = this.addrOf(proc);
    const crashedAt = proc.crashedAtMs;
    const hasReplicas = this.processes.some((p) => p.plan.kind === 'redis' && p !== proc);
    if (crashedAt === null || !hasReplicas) return;
    const { spec } = this.options;
    if (spec.mode === 'cluster') {
      // a cluster master that owns slots keeps them until a replica is elected (node timeout)
      const owns = (t: Topology) =>
        t.kind === 'cluster' &&
        t.cluster.shards.some((s) => s.master === addr && s.slotCount > 0 && s.replicas.length > 0);
      const until = crashedAt + spec.nodeTimeoutMs * 2 + FAILOVER_MARGIN_MS;
      while (Date.now() < until && owns(await this.observer.fresh())) await sleep(250);
      return;
    }
    const deadline = crashedAt + spec.downAfterMs + FAILOVER_MARGIN_MS;
    while (Date.now() < deadline && agreedMaster(await this.observer.fresh()) === addr) {
      await sleep(250);
    }
  }

  /** Starts a data node as a replica of the agreed master unless it is that master (no split brain). */
  private async startNode(proc: SupervisedProcess, why: string): Promise<string> {
    const addr = this.addrOf(proc);
    const state = proc.getState();
    if (state === 'running') return `${proc.plan.name} (${addr}) is already running`;
    if (state === 'frozen')
      throw new UserError(`${proc.plan.name} (${addr}) is frozen; thaw it instead of starting it`);
    let extra: string[] = [];
    let as = '';
    if (proc.plan.kind === 'redis') {
      // a cluster has no agreed master: its node rejoins from nodes.conf, and the cluster tells
      // a replaced master to follow its successor
      await this.waitForFailoverOf(proc);
      const master = agreedMaster(await this.observer.fresh());
      const hp = master ? parseAddr(master) : null;
      if (master && hp && master !== addr) {
        extra = ['--replicaof', hp.host, String(hp.port)];
        as = ` as a replica of ${master}, the master the sentinels agree on`;
      }
    }
    await this.startAndAnswer(proc, extra);
    const message = `started ${proc.plan.name} (${addr})${as}`;
    this.observer.record('quorum:action', message, {
      action: 'start',
      name: proc.plan.name,
      addr,
      by: why,
      outcome: 'ok',
    });
    return message;
  }

  /**
   * The split-brain fault: starts a stopped data node from an empty data directory as a master,
   * as an orchestrator does that restarts it from a config without `replicaof` on a fresh disk.
   * Sentinel converts it to a replica a few seconds later; until then it accepts writes.
   */
  private async startEmptyMaster(proc: SupervisedProcess, actor: string): Promise<string> {
    const addr = this.addrOf(proc);
    if (proc.plan.kind !== 'redis')
      throw new UserError(`${proc.plan.name} (${addr}) is a sentinel, not a data node`);
    if (this.options.spec.mode === 'cluster')
      throw new UserError(
        `starting an empty master is a Sentinel fault; a cluster node started empty would join as a new node, not as ${proc.plan.name}`,
      );
    if (proc.getState() !== 'stopped' && proc.getState() !== 'exited')
      throw new UserError(
        `${proc.plan.name} (${addr}) is ${proc.getState()}; stop or kill it before starting it empty`,
      );
    rmSync(join(proc.dir, 'dump.rdb'), { force: true });
    rmSync(join(proc.dir, 'appendonlydir'), { recursive: true, force: true });
    await this.startAndAnswer(proc, ['--replicaof', 'no', 'one']);
    const message = `started ${proc.plan.name} (${addr}) from an empty data directory as a master`;
    this.observer.record('quorum:action', message, {
      action: 'start-empty-master',
      name: proc.plan.name,
      addr,
      by: actor,
      outcome: 'ok',
    });
    return message;
  }

  /** Acts on one process; returns a sentence saying what happened. */
  nodeAction(action: ProcessAction, target: string, actor = 'cli'): Promise<string> {
    // refused before queueing: a request waiting on the lock would hold up a shutdown
    if (this.status !== 'healthy') {
      return Promise.reject(
        new UserError(`the deployment is ${this.status}; node actions wait until it is healthy`),
      );
    }
    return this.exclusive(async () => {
      if (this.status !== 'healthy')
        throw new UserError(`the deployment is ${this.status}; node actions are refused`);
      const proc = this.resolve(target);
      const addr = this.addrOf(proc);
      const record = (message: string) => {
        this.observer.record('quorum:action', message, {
          action,
          name: proc.plan.name,
          addr,
          by: actor,
          outcome: 'ok',
        });
        return message;
      };
      switch (action) {
        case 'start':
          return this.startNode(proc, actor);
        case 'stop':
          if (!proc.pid) return `${proc.plan.name} (${addr}) is not running`;
          await proc.stop();
          this.persist();
          return record(`stopped ${proc.plan.name} (${addr}) with SIGTERM`);
        case 'kill':
          if (!proc.pid) return `${proc.plan.name} (${addr}) is not running`;
          await proc.kill();
          this.persist();
          return record(`killed ${proc.plan.name} (${addr}) with SIGKILL`);
        case 'restart':
          await proc.stop();
          record(`stopped ${proc.plan.name} (${addr}) for a restart`);
          return this.startNode(proc, actor);
        case 'freeze':
          if (proc.getState() !== 'running')
            return `${proc.plan.name} (${addr}) is ${proc.getState()}, not running`;
          proc.freeze();
          return record(`froze ${proc.plan.name} (${addr}) with SIGSTOP`);
        case 'thaw':
          if (proc.getState() !== 'frozen') return `${proc.plan.name} (${addr}) is not frozen`;
          proc.thaw();
          return record(`thawed ${proc.plan.name} (${addr}) with SIGCONT`);
        case 'start-empty-master':
          return this.startEmptyMaster(proc, actor);
      }
    });
  }

  /** The supervisor as a NodeController, for the dashboard running in this process. */
  controller(): NodeController {
    return {
      act: (action, target, actor) => this.nodeAction(action, target, actor),
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

  processInfo(): ProcessInfo[] {
    return this.processes.map((p) => ({
      name: p.plan.name,
      kind: p.plan.kind,
      addr: this.addrOf(p),
      pid: p.pid,
      state: p.getState(),
    }));
  }

  private async handle(request: ControlRequest): Promise<ControlResponse> {
    switch (request.op) {
      case 'ping':
        return { ok: true, pid: process.pid, status: this.status };
      case 'processes':
        return { ok: true, pid: process.pid, status: this.status, processes: this.processInfo() };
      case 'node':
        return {
          ok: true,
          pid: process.pid,
          status: this.status,
          message: await this.nodeAction(request.action, request.target, request.actor ?? 'cli'),
        };
      case 'proxy':
        return {
          ok: true,
          pid: process.pid,
          status: this.status,
          proxy: this.proxy?.stats() ?? null,
        };
      case 'record':
        this.observer.record(request.type, request.message, request.detail);
        return { ok: true, pid: process.pid, status: this.status };
      case 'add-node': {
        const added = await this.addNode(request.actor ?? 'cli');
        return {
          ok: true,
          pid: process.pid,
          status: this.status,
          added,
          message: `started ${added.name} (${added.addr})`,
        };
      }
      case 'remove-node':
        return {
          ok: true,
          pid: process.pid,
          status: this.status,
          message: await this.removeNode(request.target, request.actor ?? 'cli'),
        };
      case 'shutdown':
        setImmediate(() => process.kill(process.pid, 'SIGTERM'));
        return { ok: true, pid: process.pid, status: 'stopping' };
    }
  }

  private async stopAll(): Promise<void> {
    await this.observer.stop();
    this.unfollow?.();
    this.unfollow = null;
    // sentinels first, so none starts a failover while the data nodes go down
    await Promise.all(
      this.processes.filter((p) => p.plan.kind === 'sentinel').map((p) => p.stop()),
    );
    await Promise.all(this.processes.filter((p) => p.plan.kind === 'redis').map((p) => p.stop()));
    // the namespaces go with their rules, veths and qdiscs
    const { lab } = this.options.spec;
    if (lab) destroyLab(lab);
  }

  private async closeControl(): Promise<void> {
    const control = this.control;
    this.control = null;
    if (control) await new Promise<void>((resolve) => control.close(() => resolve()));
  }

  /** Stops every process (SIGTERM, then SIGKILL after a timeout) and the control socket. */
  shutdown(): Promise<void> {
    if (this.status === 'stopping' || this.status === 'stopped')
      return this.lock.then(() => undefined);
    this.setStatus('stopping');
    return this.exclusive(async () => {
      this.observer.record('quorum:down', `deployment '${this.options.spec.name}' is stopping`, {});
      await this.stopAll();
      await this.closeControl();
      this.setStatus('stopped');
    });
  }
}

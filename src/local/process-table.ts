import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatAddr, UserError } from '../model/index.js';
import type { ProcessInfo } from './control.js';
import { findProcess } from './find-process.js';
import type { Launch, ProcessState } from './process.js';
import { SupervisedProcess } from './process.js';
import { renderNodeAcl, renderRedisConf, renderSentinelConf } from './render.js';
import { ensureTlsFiles } from './tls-files.js';
import { writeAclPasswords } from './acl-files.js';
import type { ClusterSpec, LocalSpec, PlannedProcess, ProcessKind } from './spec.js';
import { planProcesses } from './spec.js';

/** How every process of the table is launched and where it reports its state changes. */
export interface ProcessTableOptions {
  /** Absolute data directory; each process gets `<dir>/<name>`. */
  dir: string;
  redisServer: Launch;
  redisSentinel: Launch;
  /** Called on every state change of every process, added ones included. */
  onState: (
    proc: SupervisedProcess,
    change: { from: ProcessState; to: ProcessState; detail: string },
  ) => void;
}

/**
 * The processes of one local deployment and the spec they were planned from. It is the only
 * place that adds or removes a process, and it keeps the spec's record of those changes
 * (`extraNodes`, `removedNodes`) in step with the table, so `up` after `down` starts the same set.
 */
export class ProcessTable {
  private readonly list: SupervisedProcess[];

  constructor(
    readonly spec: LocalSpec,
    private readonly options: ProcessTableOptions,
  ) {
    this.list = planProcesses(spec).map((plan) => this.supervise(plan));
  }

  /** Every process, in plan order (data nodes first). */
  all(): readonly SupervisedProcess[] {
    return this.list;
  }

  ofKind(kind: ProcessKind): SupervisedProcess[] {
    return this.list.filter((p) => p.plan.kind === kind);
  }

  addrOf(proc: SupervisedProcess): string {
    return formatAddr(proc.plan.host, proc.plan.port);
  }

  /** By name, address or port; an unknown target is a usage error listing the processes. */
  resolve(target: string): SupervisedProcess {
    return findProcess(this.list, target);
  }

  info(): ProcessInfo[] {
    return this.list.map((p) => ({
      name: p.plan.name,
      kind: p.plan.kind,
      addr: this.addrOf(p),
      pid: p.pid,
      state: p.getState(),
    }));
  }

  /** Writes configs for processes that have none yet; existing ones (rewritten by Redis) stay. */
  renderConfigs(): void {
    if (this.spec.acl) writeAclPasswords(this.options.dir, this.spec.acl);
    for (const proc of this.list) {
      mkdirSync(proc.dir, { recursive: true, mode: 0o700 });
      if (existsSync(proc.configFile)) continue;
      // only a Sentinel spec plans sentinels
      const text =
        proc.plan.kind === 'sentinel' && this.spec.mode === 'sentinel'
          ? renderSentinelConf(this.spec, proc.plan, proc.dir)
          : renderRedisConf(this.spec, proc.plan, proc.dir);
      writeFileSync(proc.configFile, text, { mode: 0o600 });
      // written once with the config; Redis reads it at start (and on ACL LOAD)
      if (this.spec.acl && proc.plan.kind === 'redis')
        writeFileSync(join(proc.dir, 'users.acl'), renderNodeAcl(this.spec.acl), { mode: 0o600 });
    }
  }

  /**
   * With `up --tls`: makes the certificates a process lacks (each names the process's address
   * and the spec's host, where the proxy listens); nothing without TLS.
   */
  async ensureCertificates(): Promise<void> {
    if (!this.spec.tls) return;
    const holders = this.list.map((p) => ({
      name: p.plan.name,
      hosts: [p.plan.host, this.spec.host],
    }));
    await ensureTlsFiles(this.options.dir, holders);
  }

  /** Cluster mode: the node `addNode` would add next (the plan after one more extra node). */
  nextNode(): PlannedProcess {
    const spec = this.clusterSpec();
    const plan = planProcesses({ ...spec, extraNodes: spec.extraNodes + 1 }).at(-1);
    if (!plan) throw new UserError('no node to add');
    return plan;
  }

  /** Cluster mode: adds the planned node to the table and the spec, with its config written. */
  addNode(plan: PlannedProcess): SupervisedProcess {
    const spec = this.clusterSpec();
    spec.extraNodes += 1;
    const proc = this.supervise(plan);
    this.list.push(proc);
    this.renderConfigs();
    return proc;
  }

  /** Undoes `addNode` for a node that never started: out of the table and the spec again. */
  dropAdded(proc: SupervisedProcess): void {
    const spec = this.clusterSpec();
    const at = this.list.indexOf(proc);
    if (at < 0) return;
    this.list.splice(at, 1);
    spec.extraNodes -= 1;
  }

  /** Cluster mode: takes a (stopped) node out of the table and keeps it out of later starts. */
  removeNode(proc: SupervisedProcess): void {
    const spec = this.clusterSpec();
    const at = this.list.indexOf(proc);
    if (at < 0) return;
    this.list.splice(at, 1);
    spec.removedNodes = [...spec.removedNodes, proc.plan.name];
  }

  /** Stops every process: sentinels first, so none starts a failover while the data nodes go down. */
  async stopAll(): Promise<void> {
    await Promise.all(this.ofKind('sentinel').map((p) => p.stop()));
    await Promise.all(this.ofKind('redis').map((p) => p.stop()));
  }

  private clusterSpec(): ClusterSpec {
    if (this.spec.mode !== 'cluster')
      throw new UserError(
        'adding and removing nodes is for clusters; a Sentinel deployment is sized with --replicas',
      );
    return this.spec;
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
    proc.on('state', (change) => this.options.onState(proc, change));
    return proc;
  }
}

import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { UserError } from '../model/index.js';
import type { PlannedProcess } from './spec.js';

/** Time a process gets to exit after SIGTERM before SIGKILL: redis-server may be writing its RDB. */
export const KILL_AFTER_MS = 10_000;
/** Time to wait for a process to disappear after SIGKILL. */
const REAP_TIMEOUT_MS = 5_000;

/**
 * `stopped`: not running, as asked. `exited`: it ended without being asked (a crash or a kill -9
 * from outside); with autorestart the supervisor starts it again. `frozen`: stopped with SIGSTOP,
 * alive but answering nothing until thawed.
 */
export const processStates = [
  'stopped',
  'starting',
  'running',
  'frozen',
  'stopping',
  'exited',
] as const;
export type ProcessState = (typeof processStates)[number];

export interface ProcessEvents {
  state: [{ from: ProcessState; to: ProcessState; detail: string }];
}

export interface Launch {
  binary: string;
  /** Path of setpriv, used to give the child a parent-death signal; null runs without it. */
  setpriv: string | null;
}

/** The last `lines` lines of a log file, for error messages. */
export function tailOf(path: string, lines = 3): string {
  if (!existsSync(path)) return '';
  const text = readFileSync(path, 'utf8').trimEnd();
  return text.split('\n').slice(-lines).join(' | ');
}

/**
 * One redis-server or redis-sentinel owned by the supervisor. Not daemonized: the supervisor is
 * its parent, and with setpriv the kernel sends it SIGTERM if the supervisor itself dies, so no
 * process outlives it.
 */
export class SupervisedProcess extends EventEmitter<ProcessEvents> {
  private state: ProcessState = 'stopped';
  /**
   * When the process last ended without a clean stop (ms since epoch): not asked to, or killed
   * with SIGKILL when a stop took too long (its data may be unsaved); null otherwise.
   */
  crashedAtMs: number | null = null;
  /** When the process last ended, however (ms since epoch); null while it never ran. */
  endedAtMs: number | null = null;
  private child: ChildProcess | null = null;
  private exitWaiters: (() => void)[] = [];

  constructor(
    readonly plan: PlannedProcess,
    readonly dir: string,
    readonly configFile: string,
    private readonly launch: Launch,
  ) {
    super();
  }

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  getState(): ProcessState {
    return this.state;
  }

  get outputLog(): string {
    return join(this.dir, 'output.log');
  }

  get serverLog(): string {
    return join(this.dir, this.plan.kind === 'sentinel' ? 'sentinel.log' : 'redis.log');
  }

  private setState(next: ProcessState, detail = ''): void {
    const from = this.state;
    if (from === next) return;
    this.state = next;
    this.emit('state', { from, to: next, detail });
  }

  /** Spawns the process. Resolves once spawned; the supervisor then waits for it to answer. */
  start(extraArgs: string[] = []): Promise<void> {
    // a live child (running, frozen or stopping) is never started twice: a second copy would
    // fail to bind, and the first would be lost to the supervisor
    if (this.child || this.state === 'starting') return Promise.resolve();
    this.setState('starting');
    const args = [this.configFile, ...extraArgs];
    const direct: [string, string[]] = this.launch.setpriv
      ? [this.launch.setpriv, ['--pdeathsig', 'SIGTERM', '--', this.launch.binary, ...args]]
      : [this.launch.binary, args];
    // `ip netns exec` enters the namespace and execs the command in place: the pid stays the one
    // spawned here, so signals (SIGSTOP for a freeze) reach the server itself
    const [command, argv]: [string, string[]] = this.plan.netns
      ? ['ip', ['netns', 'exec', this.plan.netns, direct[0], ...direct[1]]]
      : direct;
    const out = openSync(this.outputLog, 'a');
    return new Promise((resolve, reject) => {
      const child = spawn(command, argv, {
        cwd: this.dir,
        stdio: ['ignore', out, out],
        detached: false,
      });
      closeSync(out);
      this.child = child;
      child.once('spawn', () => {
        this.setState('running', `pid ${child.pid ?? '?'}`);
        resolve();
      });
      child.once('error', (err) => {
        this.child = null;
        this.setState('exited', err.message);
        reject(new UserError(`${this.plan.name} could not be started: ${err.message}`));
      });
      child.once('exit', (code, signal) => {
        this.child = null;
        const how = signal ? `signal ${signal}` : `exit code ${code ?? '?'}`;
        const asked = this.state === 'stopping';
        this.endedAtMs = Date.now();
        this.crashedAtMs = asked && signal !== 'SIGKILL' ? null : this.endedAtMs;
        this.setState(asked ? 'stopped' : 'exited', how);
        for (const wake of this.exitWaiters.splice(0)) wake();
      });
    });
  }

  private waitForExit(ms: number): Promise<boolean> {
    if (!this.child) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      this.exitWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** SIGSTOP: the process stays alive but answers nothing, like a long GC pause or a hung host. */
  freeze(): void {
    if (!this.child || this.state !== 'running') return;
    this.child.kill('SIGSTOP');
    this.setState('frozen', 'SIGSTOP');
  }

  /** SIGCONT after a freeze. */
  thaw(): void {
    if (!this.child || this.state !== 'frozen') return;
    this.child.kill('SIGCONT');
    this.setState('running', 'SIGCONT');
  }

  /** SIGTERM, then SIGKILL if it has not exited after KILL_AFTER_MS. */
  async stop(killAfterMs = KILL_AFTER_MS): Promise<void> {
    if (!this.child) {
      if (this.state === 'exited') this.setState('stopped', 'marked stopped');
      return;
    }
    const wasFrozen = this.state === 'frozen';
    this.setState('stopping');
    // a stopped process cannot act on SIGTERM until it runs again
    if (wasFrozen) this.child.kill('SIGCONT');
    this.child.kill('SIGTERM');
    if (await this.waitForExit(killAfterMs)) return;
    // the exit handler clears `child` while we wait
    (this.child as ChildProcess | null)?.kill('SIGKILL');
    await this.waitForExit(REAP_TIMEOUT_MS);
  }

  /** SIGKILL, as a crash: the state becomes `exited`, not `stopped`. */
  async kill(): Promise<void> {
    if (!this.child) return;
    // SIGKILL works on a frozen process too; the state then moves from frozen to exited
    this.child.kill('SIGKILL');
    await this.waitForExit(REAP_TIMEOUT_MS);
  }
}

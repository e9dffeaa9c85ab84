import type { Addr, Topology } from '../model/index.js';
import { agreedMaster, UserError } from '../model/index.js';
import type { NodeController, ProcessAction, ProcessInfo } from '../local/index.js';
import type { NetworkFaults } from './network.js';
import type { Access } from '../redis/index.js';

/** What a reshard did, as a cluster fault reports it. */
export interface ReshardFacts {
  from: Addr;
  to: Addr;
  slotsMoved: number;
  keysMoved: number;
  ms: number;
}

/** What a fault tells the drill besides its sentence (cluster faults: the shard, a reshard). */
export interface FaultFacts {
  /** The master, when the drill started, of the shard the fault hit. */
  shard?: Addr;
  reshard?: ReshardFacts;
}

/** What a fault needs to act on a deployment. */
export interface FaultContext {
  /** The local supervisor; null for an attached deployment, where only command faults work. */
  controller: NodeController | null;
  /** The topology when the drill started (healthy). */
  before: Topology;
  /** The local processes; empty for an attached deployment. */
  processes: ProcessInfo[];
  /** The lab's network faults; null on loopback or for an attached deployment. */
  network: NetworkFaults | null;
  masterName: string;
  sentinelAccess: Access;
  access: Access;
  downAfterMs: number;
  /**
   * Marks the moment the fault took effect, for faults that go on acting after it (the drill's
   * times count from here); without a mark, from when inject returns.
   */
  tookEffect(): void;
  /** The deployment right now (a fresh observation). */
  observe(): Promise<Topology>;
  /** Takes what the fault reports besides its sentence; absent where nobody asks. */
  note?: (facts: FaultFacts) => void;
  /** Progress lines for a person, for faults that take a while. */
  progress?: (line: string) => void;
  signal: AbortSignal;
}

/** A fault: inject returns what it did; heal undoes whatever inject did (and is safe to repeat). */
export interface Fault {
  /** True when it acts on processes, so only a local deployment's supervisor can inject it. */
  needsProcesses: boolean;
  /** True when it cuts links, so only a lab deployment (up --network lab) can have it. */
  needsLab?: boolean;
  inject(ctx: FaultContext): Promise<string>;
  heal(ctx: FaultContext): Promise<string>;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The master's process, as agreed when the drill started. */
export function masterProcess(ctx: FaultContext): ProcessInfo {
  const addr = agreedMaster(ctx.before);
  const proc = ctx.processes.find((p) => p.addr === addr);
  if (!proc) throw new Error(`the master ${addr ?? '(none)'} is not a process of this deployment`);
  return proc;
}

export function sentinelProcesses(ctx: FaultContext): ProcessInfo[] {
  return ctx.processes.filter((p) => p.kind === 'sentinel');
}

function controllerOf(ctx: FaultContext): NodeController {
  if (!ctx.controller) {
    throw new UserError(
      'this fault acts on processes, which only the supervisor of a local deployment can do',
    );
  }
  return ctx.controller;
}

export function act(ctx: FaultContext, action: ProcessAction, target: string): Promise<string> {
  return controllerOf(ctx).act(action, target, 'drill');
}

/** Starts every process that is not running (thawing frozen ones): the common heal. */
export async function startEverything(ctx: FaultContext): Promise<string> {
  const done: string[] = [];
  for (const p of await controllerOf(ctx).processes()) {
    if (p.state === 'frozen') done.push(await act(ctx, 'thaw', p.name));
    else if (p.state === 'stopped' || p.state === 'exited')
      done.push(await act(ctx, 'start', p.name));
  }
  return done.length > 0 ? done.join('; ') : 'nothing to heal';
}

/** Runs `work` after `ms` without waiting for it (a thaw scheduled by inject; heal repeats it). */
export function later(ms: number, work: () => Promise<unknown>): void {
  setTimeout(() => void work().catch(() => undefined), ms).unref();
}

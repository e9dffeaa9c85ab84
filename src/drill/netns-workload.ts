import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { UserError } from '../model/index.js';
import type { ReadRecord, WriteRecord } from './ledger.js';
import { Ledger } from './ledger.js';
import type { ClusterWorkloadOptions } from './cluster-workload.js';
import type { WorkloadOptions } from './workload.js';

/** What the namespace runs: the Sentinel workload, or the cluster one (a cluster client). */
export type NetnsWorkloadSpec =
  | { kind: 'sentinel'; options: WorkloadOptions }
  | { kind: 'cluster'; options: ClusterWorkloadOptions };

/** Time the writers get to start in their namespace, and to finish after being told to stop. */
const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 10_000;

/** The command that runs workload-main here: the built .js, or the .ts source through tsx. */
function mainCommand(): string[] {
  const here = dirname(fileURLToPath(import.meta.url));
  const js = join(here, 'workload-main.js');
  return existsSync(js) ? [js] : ['--import', 'tsx', join(here, 'workload-main.ts')];
}

/**
 * The drill's workload run inside a network namespace (a lab's client), so its writers sit on
 * one side of a partition; the ledger arrives over a pipe and fills in as the writes complete.
 */
export class NetnsWorkload {
  readonly ledger = new Ledger();
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    readonly netns: string,
    private readonly spec: NetnsWorkloadSpec,
  ) {}

  async start(): Promise<void> {
    const child = spawn('ip', ['netns', 'exec', this.netns, process.execPath, ...mainCommand()], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child = child;
    // on stdin, not argv: a cluster's 4096 buckets are more than one argument may hold (128 KiB)
    child.stdin.write(`${JSON.stringify(this.spec)}\n`);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // 'close', not 'exit': the last lines on stdout are read by then
    this.exited = new Promise((resolve) => child.once('close', () => resolve()));
    const lines = createInterface({ input: child.stdout });
    let ready: () => void = () => undefined;
    const readyOnce = new Promise<void>((resolve) => (ready = resolve));
    lines.on('line', (line) => {
      let message: { ready?: true; w?: WriteRecord[]; r?: ReadRecord[] };
      try {
        message = JSON.parse(line) as typeof message;
      } catch {
        return; // not ours: only JSON lines carry records
      }
      if (message.ready) ready();
      for (const w of message.w ?? []) this.ledger.write(w);
      for (const r of message.r ?? []) this.ledger.read(r);
    });
    const timeout = new Promise<'timeout'>((resolve) =>
      setTimeout(() => resolve('timeout'), START_TIMEOUT_MS).unref(),
    );
    const started = await Promise.race([
      readyOnce.then(() => 'ready' as const),
      this.exited.then(() => 'exited' as const),
      timeout,
    ]);
    if (started !== 'ready') {
      child.kill('SIGKILL');
      throw new UserError(
        `the drill's writers could not start in the namespace ${this.netns}: ${stderr.trim().split('\n').at(-1) ?? started}`,
      );
    }
  }

  /** Tells the writers to stop, waits for the last records; once. */
  async stop(): Promise<Ledger> {
    if (this.stopped || !this.child) return this.ledger;
    this.stopped = true;
    const child = this.child;
    child.stdin?.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await this.exited;
    clearTimeout(timer);
    return this.ledger;
  }
}

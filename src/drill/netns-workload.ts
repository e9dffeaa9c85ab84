import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { assertNever, UserError } from '../model/index.js';
import type { NetnsWorkloadSpec } from './workload-wire.js';
import { parseReply } from './workload-wire.js';
import { Writers } from './writers.js';

export type { NetnsWorkloadSpec } from './workload-wire.js';

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
export class NetnsWriters extends Writers {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();

  constructor(
    readonly netns: string,
    private readonly spec: NetnsWorkloadSpec,
  ) {
    super();
  }

  protected async open(): Promise<void> {
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
      const reply = parseReply(line);
      if (reply === null) return;
      switch (reply.type) {
        case 'ready':
          ready();
          break;
        case 'records':
          for (const w of reply.w) this.ledger.write(w);
          for (const r of reply.r) this.ledger.read(r);
          break;
        default:
          assertNever(reply);
      }
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

  /** Tells the writers to stop and waits for the last records. */
  protected async close(): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.stdin?.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await this.exited;
    clearTimeout(timer);
  }
}

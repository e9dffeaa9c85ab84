import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { assertNever, UserError } from '../model/index.js';
import { expectedWrites, sequenceProblem, tailProblem } from './ledger-audit.js';
import type { NetnsWorkloadSpec } from './workload-wire.js';
import { MAX_REPLY_LINE, parseReply } from './workload-wire.js';
import { Writers } from './writers.js';

export type { NetnsWorkloadSpec } from './workload-wire.js';

/** Time the writers get to start in their namespace, and to finish after being told to stop. */
const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 10_000;
/** How much of the writers' stderr is kept, for the error that says why they failed. */
const STDERR_LIMIT = 4096;

/** The command that runs workload-main here: the built .js, or the .ts source through tsx. */
function mainCommand(): string[] {
  const here = dirname(fileURLToPath(import.meta.url));
  const js = join(here, 'workload-main.js');
  return existsSync(js) ? [js] : ['--import', 'tsx', join(here, 'workload-main.ts')];
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * The drill's workload run inside a network namespace (a lab's client), so its writers sit on
 * one side of a partition; the ledger arrives over a pipe and fills in as the writes complete.
 * The stop fails the run when that ledger may be incomplete: the writers did not exit 0 in time,
 * a line did not parse, a writer's sequence has a hole or lacks the tail its final count names,
 * or the count is far from what the rate allows.
 */
export class NetnsWriters extends Writers {
  private child: ChildProcess | null = null;
  private exited: Promise<Exit> = Promise.resolve({ code: 0, signal: null });
  private stderr = '';
  /** The first thing wrong with what came over the pipe. */
  private broken: string | null = null;
  /** Set when the writers were stopped for a line over the limit (their exit is then ours). */
  private overlong: string | null = null;
  private readyAtMs = 0;
  /** Each writer's count of its writes, from the writers' last line (null until it comes). */
  private counts: number[] | null = null;

  constructor(
    readonly netns: string,
    private readonly spec: NetnsWorkloadSpec,
  ) {
    super();
  }

  private lastError(fallback: string): string {
    return this.stderr.trim().split('\n').at(-1) ?? fallback;
  }

  protected async open(): Promise<void> {
    const child = spawn('ip', ['netns', 'exec', this.netns, process.execPath, ...mainCommand()], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child = child;
    // on stdin, not argv: a cluster's 4096 buckets are more than one argument may hold (128 KiB)
    child.stdin.on('error', () => undefined);
    child.stdin.write(`${JSON.stringify(this.spec)}\n`);
    child.stderr.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-STDERR_LIMIT);
    });
    // 'close', not 'exit': the last lines on stdout are read by then
    this.exited = new Promise((resolve) =>
      child.once('close', (code, signal) => resolve({ code, signal })),
    );
    // readline holds a line until its newline: a line past the limit stops the writers instead
    let lineLength = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      const last = chunk.lastIndexOf(10);
      lineLength = last === -1 ? lineLength + chunk.length : chunk.length - last - 1;
      if (lineLength <= MAX_REPLY_LINE) return;
      this.overlong = `wrote a line longer than ${MAX_REPLY_LINE} bytes`;
      child.kill('SIGKILL');
    });
    let ready: () => void = () => undefined;
    const readyOnce = new Promise<void>((resolve) => (ready = resolve));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const reply = parseReply(line);
      if ('problem' in reply) {
        this.broken ??= `their output had ${reply.problem}`;
        return;
      }
      switch (reply.type) {
        case 'ready':
          this.readyAtMs = Date.now();
          ready();
          break;
        case 'records':
          for (const w of reply.w) this.ledger.write(w);
          for (const r of reply.r) this.ledger.read(r);
          for (const l of reply.l)
            if (!this.ledger.late(l))
              this.broken ??= `they sent a late reply for ${l.value}, which they had not recorded as indeterminate`;
          break;
        case 'done':
          this.counts = reply.counts;
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
        `the drill's writers could not start in the namespace ${this.netns}: ${this.lastError(started)}`,
      );
    }
  }

  /** Tells the writers to stop, waits for the last records, and checks the ledger is whole. */
  protected async close(): Promise<void> {
    const child = this.child;
    if (!child) return;
    const ranMs = Date.now() - this.readyAtMs;
    child.stdin?.end();
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, STOP_TIMEOUT_MS);
    const exit = await this.exited;
    clearTimeout(timer);
    const problem = this.problem(exit, killed, ranMs);
    if (problem !== null)
      throw new UserError(
        `the drill's writers in ${this.netns} ${problem}, so their ledger may be incomplete and the run is not a result; run the drill again`,
      );
  }

  /** What makes the ledger untrustworthy, as the end of a sentence; null when nothing does. */
  private problem(exit: Exit, killed: boolean, ranMs: number): string | null {
    if (this.overlong !== null) return this.overlong;
    if (killed) return `did not finish within ${STOP_TIMEOUT_MS / 1000} s of being told to stop`;
    if (exit.code !== 0)
      return `exited with ${exit.signal ?? `code ${String(exit.code)}`} (${this.lastError('no message')})`;
    if (this.broken !== null) return this.broken;
    const gap = sequenceProblem(this.ledger.writes);
    if (gap !== null) return `sent a ledger in which ${gap}`;
    const tail = tailProblem(this.counts, this.ledger.writes);
    if (tail !== null) return tail;
    const attempted = this.ledger.writes.length;
    const { min, max } = expectedWrites(this.spec, ranMs, this.ledger.writes);
    if (attempted < min || attempted > max)
      return `recorded ${attempted} writes in ${(ranMs / 1000).toFixed(1)} s, where ${min} to ${max} were expected at ${this.spec.options.rate} per second`;
    return null;
  }
}

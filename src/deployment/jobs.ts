import { randomBytes } from 'node:crypto';
import { ServiceError } from '../model/index.js';
import { JobArchive } from './job-archive.js';
import type { JobProgress, JobRecord, JobSpec, JobState, JobStep } from './job-types.js';
import { familyOf, isEnded, transition } from './job-types.js';

/** Called with a copy of the job each time its state or progress changes. */
export type JobListener = (job: JobRecord) => void;

/** A step refused to start because the job was cancelled before it. */
export class JobCancelled extends Error {
  constructor(step: string) {
    super(`cancelled before '${step}'`);
    this.name = 'JobCancelled';
  }
}

let sequence = 0;

/**
 * Ids sort by start time: fixed-width base-36 milliseconds, then a counter for jobs of one
 * millisecond; the random tail keeps two processes (the dashboard and a `quorum cluster` command)
 * from writing one record over the other.
 */
function newId(now: number): string {
  sequence = (sequence + 1) % 36 ** 3;
  const count = sequence.toString(36).padStart(3, '0');
  return `${now.toString(36).padStart(9, '0')}-${count}${randomBytes(2).toString('hex')}`;
}

function sentence(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * One job on a desk: its steps run in order, the signal handed to them aborts on a cancel, and
 * the desk checks it before each step. Every change of state or progress goes to the listeners.
 */
export class Job {
  private current: JobRecord;
  private readonly abort = new AbortController();
  private readonly listeners = new Set<JobListener>();
  private failure: Error | null = null;
  /** Resolves with the record once the job ended; never rejects. */
  readonly ended: Promise<JobRecord>;

  constructor(
    spec: JobSpec,
    deployment: string,
    private readonly onEnd: (record: JobRecord) => void,
  ) {
    const now = Date.now();
    this.current = {
      id: newId(now),
      kind: spec.kind,
      deployment,
      description: spec.description,
      by: spec.by,
      state: 'running',
      startedMs: now,
      endedMs: null,
      progress: { step: spec.steps[0]?.name ?? 'starting', fraction: null, message: null },
      result: null,
      error: null,
    };
    this.ended = this.run(spec.steps);
  }

  get id(): string {
    return this.current.id;
  }

  get kind(): string {
    return this.current.kind;
  }

  get state(): JobState {
    return this.current.state;
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  /** A copy of the job as it is now. */
  snapshot(): JobRecord {
    return { ...this.current, progress: { ...this.current.progress } };
  }

  /** Listens to this job's changes; returns the way to stop listening. */
  on(listener: JobListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Asks the job to stop: the running step sees its signal abort. False once it has ended. */
  cancel(): boolean {
    if (this.current.state !== 'running') return this.current.state === 'cancelling';
    this.setState('cancelling');
    this.abort.abort();
    return true;
  }

  /** The sentence the job ended with; rejects with the step's own error when it did not succeed. */
  async outcome(): Promise<string | null> {
    const record = await this.ended;
    if (record.state !== 'succeeded') throw this.failure ?? new Error(record.error ?? 'failed');
    return record.result;
  }

  private setState(next: JobState): void {
    this.current = { ...this.current, state: transition(this.current.state, next) };
    this.tell();
  }

  private setProgress(progress: JobProgress): void {
    if (isEnded(this.current.state)) return;
    this.current = { ...this.current, progress };
    this.tell();
  }

  /** Tells every listener; one that throws is its own problem, never the job's. */
  private tell(): void {
    const copy = this.snapshot();
    for (const listener of this.listeners) {
      try {
        listener(copy);
      } catch {
        // a listener's failure must not fail, undo or end the job
      }
    }
  }

  private async run(steps: JobStep[]): Promise<JobRecord> {
    // the constructor returns (and the desk registers the job) before the first step starts
    await Promise.resolve();
    const done: JobStep[] = [];
    let result: string | null = null;
    let ending: { state: JobState; end: Partial<JobRecord> };
    try {
      for (const step of steps) {
        if (this.abort.signal.aborted) throw new JobCancelled(step.name);
        this.setProgress({ step: step.name, fraction: null, message: null });
        const said = await step.run({
          signal: this.abort.signal,
          report: (update) =>
            this.setProgress({
              step: step.name,
              fraction: update.fraction ?? null,
              message: update.message ?? null,
            }),
        });
        done.push(step);
        if (said !== null) result = said;
      }
      ending = { state: 'succeeded', end: { result } };
    } catch (err) {
      this.failure = err instanceof Error ? err : new Error(String(err));
      // what the steps before did is undone, newest first; an undo that fails leaves the error
      for (const step of done.reverse()) await step.undo?.().catch(() => undefined);
      ending = {
        state: this.abort.signal.aborted ? 'cancelled' : 'failed',
        end: { error: sentence(err) },
      };
    }
    // ended once, outside the steps' try: nothing said at the end can undo or re-end the job
    return this.finish(ending.state, ending.end);
  }

  /** Ends the job: the desk frees its family and keeps the record before anyone is told. */
  private finish(next: JobState, end: Partial<JobRecord>): JobRecord {
    this.current = {
      ...this.current,
      ...end,
      state: transition(this.current.state, next),
      endedMs: Date.now(),
    };
    const record = this.snapshot();
    this.onEnd(record);
    this.tell();
    return record;
  }
}

/**
 * The long jobs of one deployment (drills, cluster changes): at most one running job of a
 * family (`cluster` for every `cluster:*` kind), listeners told of every change, each ended job
 * kept under `<dir>/jobs/` (in memory for an attached deployment), the newest `kept` of them.
 */
export class JobDesk {
  private readonly running = new Map<string, Job>();
  private readonly listeners = new Set<JobListener>();
  private readonly archive: JobArchive;

  constructor(
    readonly deployment: string,
    dir: string | null,
    kept?: number,
  ) {
    this.archive = new JobArchive(dir, kept);
  }

  /** Says why a job of this kind cannot start now (one of its family runs); null when it can. */
  busy(kind: string): string | null {
    const running = this.current(kind);
    return running
      ? `a ${familyOf(kind)} job runs on '${this.deployment}' (${running.snapshot().description})`
      : null;
  }

  /** Starts a job; refused (conflict) while one of its family runs on this deployment. */
  start(spec: JobSpec): Job {
    const busy = this.busy(spec.kind);
    if (busy) throw new ServiceError(`${busy}; wait for it or cancel it`, 'conflict');
    const family = familyOf(spec.kind);
    const job = new Job(spec, this.deployment, (record) => {
      this.running.delete(family);
      try {
        this.archive.keep(record);
      } catch {
        // a full disk loses the record, not the job's outcome
      }
    });
    this.running.set(family, job);
    job.on((record) => {
      for (const listener of this.listeners) {
        try {
          listener(record);
        } catch {
          // one listener's failure must not keep the others from hearing
        }
      }
    });
    return job;
  }

  /** The running job of this kind's family; null when none runs. */
  current(kind: string): Job | null {
    return this.running.get(familyOf(kind)) ?? null;
  }

  /** Every running job. */
  all(): Job[] {
    return [...this.running.values()];
  }

  /** Asks the running job of this kind's family to stop; false when none runs. */
  cancel(kind: string): boolean {
    return this.current(kind)?.cancel() ?? false;
  }

  /** Listens to every job's changes; returns the way to stop listening. */
  on(listener: JobListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The ended jobs kept, newest first. */
  list(): JobRecord[] {
    return this.archive.list();
  }

  /** One ended job; null when it is not kept. */
  read(id: string): JobRecord | null {
    return this.archive.read(id);
  }

  /** Cancels every running job and waits until each ended. */
  async close(): Promise<void> {
    const jobs = this.all();
    for (const job of jobs) job.cancel();
    await Promise.all(jobs.map((job) => job.ended));
  }
}

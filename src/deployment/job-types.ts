import { z } from 'zod';

/**
 * A job's lifecycle. A job runs as soon as the desk accepts it; `cancelling` is a cancel asked
 * for and not yet honoured (the step under way finishes or stops at its own next check).
 */
export type JobState = 'running' | 'cancelling' | 'succeeded' | 'failed' | 'cancelled';

/** Every legal move; the three ends have none. */
const NEXT: Record<JobState, readonly JobState[]> = {
  running: ['cancelling', 'succeeded', 'failed', 'cancelled'],
  cancelling: ['succeeded', 'failed', 'cancelled'],
  succeeded: [],
  failed: [],
  cancelled: [],
};

/** Whether a job in `state` has ended. */
export function isEnded(state: JobState): boolean {
  return NEXT[state].length === 0;
}

/** The state after `from -> to`; throws on a move the lifecycle does not allow. */
export function transition(from: JobState, to: JobState): JobState {
  if (!NEXT[from].includes(to)) throw new Error(`a job cannot go from ${from} to ${to}`);
  return to;
}

/** Where a job is: the step under way, and what the step says of itself. */
export interface JobProgress {
  step: string;
  /** 0..1 when the step knows how far it is; null when not. */
  fraction: number | null;
  message: string | null;
}

const jobStateSchema = z.enum(['running', 'cancelling', 'succeeded', 'failed', 'cancelled']);

/** A job as kept in `<dir>/jobs/<id>.json` once it ended (and as listeners see it meanwhile). */
export const jobRecordSchema = z.object({
  id: z.string(),
  kind: z.string(),
  deployment: z.string(),
  /** One sentence: what was asked. */
  description: z.string(),
  /** Who asked (`dashboard (admin)`, `cli`). */
  by: z.string(),
  state: jobStateSchema,
  startedMs: z.number(),
  endedMs: z.number().nullable(),
  progress: z.object({
    step: z.string(),
    fraction: z.number().nullable(),
    message: z.string().nullable(),
  }),
  /** The sentence the last step ended with; null until it succeeded. */
  result: z.string().nullable(),
  /** Why it failed or was cancelled, one sentence. */
  error: z.string().nullable(),
});
export type JobRecord = z.infer<typeof jobRecordSchema>;

/** What a step gets: the signal a cancel aborts, and a way to say how far it is. */
export interface StepContext {
  signal: AbortSignal;
  report: (update: { fraction?: number | null; message?: string | null }) => void;
}

/** One step of a job; the desk checks for a cancel before each. */
export interface JobStep {
  name: string;
  /** Resolves to a sentence (the job's result when no later step says one), or null. */
  run: (context: StepContext) => Promise<string | null>;
  /** Undoes what `run` did, when a later step fails or the job is cancelled after it. */
  undo?: () => Promise<void>;
}

/** What to run: a kind (`drill`, `cluster:add-node`), what was asked, who asked, the steps. */
export interface JobSpec {
  kind: string;
  description: string;
  by: string;
  steps: JobStep[];
}

/**
 * The family of a kind, the part before ':' (`cluster` for `cluster:add-node`): one job of a
 * family runs at a time per deployment, since two cluster changes at once would undo each other.
 */
export function familyOf(kind: string): string {
  const at = kind.indexOf(':');
  return at < 0 ? kind : kind.slice(0, at);
}

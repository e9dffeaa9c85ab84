/** Autorestart waits this long, doubled for each crash within a minute, capped at 30 s. */
const RESTART_BASE_MS = 1_000;
const RESTART_MAX_MS = 30_000;
/** Crashes older than this no longer lengthen the wait. */
const CRASH_MEMORY_MS = 60_000;

/**
 * How long to wait before restarting a process that crashed at `now`, given its earlier crash
 * times (pure); returns the delay and the crash times to remember.
 */
export function restartDelay(
  earlier: readonly number[],
  now: number,
): { delayMs: number; crashes: number[] } {
  const crashes = [...earlier.filter((t) => now - t < CRASH_MEMORY_MS), now];
  const delayMs = Math.min(RESTART_BASE_MS * 2 ** (crashes.length - 1), RESTART_MAX_MS);
  return { delayMs, crashes };
}

/**
 * Restarts crashed processes with a backoff per process name. `restart` decides at the moment of
 * the restart whether it is still wanted (the process may have been started by hand meanwhile).
 */
export class RestartPolicy {
  private readonly crashes = new Map<string, number[]>();

  constructor(private readonly restart: (name: string) => void) {}

  /** Records a crash of `name` and schedules its restart after the backoff. */
  crashed(name: string, now = Date.now()): number {
    const { delayMs, crashes } = restartDelay(this.crashes.get(name) ?? [], now);
    this.crashes.set(name, crashes);
    setTimeout(() => this.restart(name), delayMs).unref();
    return delayMs;
  }
}

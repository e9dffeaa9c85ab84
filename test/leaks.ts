import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/**
 * The environment variable every process a test starts carries (set in each test worker by
 * test/mark-processes.ts, inherited by everything it spawns): its value is the project's test
 * root, so detached and double-forked processes are found wherever they run.
 */
export const MARK = 'QUORUM_TEST_ROOT';

export interface Leak {
  pid: number;
  cmd: string;
}

/** What /proc says a process runs, for naming it. */
function commandOf(pid: string): string {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    if (argv.length > 0) return argv.join(' ').slice(0, 200);
  } catch {
    // gone
  }
  return readlinkSync(`/proc/${pid}/exe`);
}

/**
 * Processes a test of `root` started: those that carry the mark, and those whose working
 * directory lies under `root` (a process that cleared its environment still runs there).
 */
export function processesOf(root: string, except: number[] = [process.pid]): Leak[] {
  const marked = `${MARK}=${root}`;
  const found: Leak[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || except.includes(Number(entry))) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      const ours =
        environ.includes(marked) || readlinkSync(`/proc/${entry}/cwd`).startsWith(`${root}/`);
      if (ours) found.push({ pid: Number(entry), cmd: commandOf(entry) });
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

/** How many times the leaks are killed and looked for again, and how long each waits for exits. */
const KILL_PASSES = 5;
const EXIT_WAIT_MS = 2000;
/** How often /proc is read while waiting: a process that is not our child has no exit event. */
const POLL_MS = 25;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once none of `pids` is in /proc (zombies excepted: their cwd cannot be read), or after `ms`. */
async function exited(root: string, pids: number[], ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const alive = new Set(processesOf(root).map((p) => p.pid));
    if (!pids.some((pid) => alive.has(pid))) return;
    await sleep(POLL_MS);
  }
}

/**
 * SIGKILLs every leaked process, again and again while new ones appear (a supervisor that
 * restarts its children may start one between a look and a kill), up to KILL_PASSES. Returns
 * every process it killed and those still there at the end.
 */
export async function killLeaks(root: string): Promise<{ killed: Leak[]; left: Leak[] }> {
  const killed = new Map<number, Leak>();
  let quiet = 0;
  for (let pass = 0; pass < KILL_PASSES;) {
    const leaks = processesOf(root);
    if (leaks.length === 0) {
      // two empty looks a poll apart: a restarter forks a moment after its child is reaped
      if (++quiet === 2) break;
      await sleep(POLL_MS);
      continue;
    }
    quiet = 0;
    pass++;
    for (const leak of leaks) {
      killed.set(leak.pid, leak);
      try {
        process.kill(leak.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await exited(
      root,
      leaks.map((l) => l.pid),
      EXIT_WAIT_MS,
    );
  }
  return { killed: [...killed.values()], left: processesOf(root) };
}

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

/** SIGKILLs every leaked process; returns those it found. */
export function killLeaks(root: string): Leak[] {
  const leaks = processesOf(root);
  for (const { pid } of leaks) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  return leaks;
}

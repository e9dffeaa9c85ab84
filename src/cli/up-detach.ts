import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, watch as watchDir } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../model/index.js';
import type { LocalSpec } from '../local/index.js';
import { readState, tailOf } from '../local/index.js';
import type { UpOptions } from './up-run.js';
import { printHealthy } from './up-print.js';

/** Flags whose values are secrets: the background supervisor gets them in its environment. */
const SECRET_FLAGS: Record<string, string> = {
  '--password': 'QUORUM_PASSWORD',
  '--token': 'QUORUM_TOKEN',
  '--viewer-token': 'QUORUM_VIEWER_TOKEN',
  '--metrics-token': 'QUORUM_METRICS_TOKEN',
};

/**
 * The arguments for the background supervisor, with secrets moved into environment variables:
 * a process's arguments are visible to every user of the machine (ps), its environment is not.
 */
export function childArgs(argv: string[]): { args: string[]; env: Record<string, string> } {
  const args: string[] = [];
  const env: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [flag, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg, undefined];
    const variable = SECRET_FLAGS[flag];
    if (variable === undefined) {
      args.push(arg);
      continue;
    }
    const value = inline ?? argv[++i];
    if (value !== undefined) env[variable] = value;
  }
  return { args, env };
}

/** How often the state file is read where its directory cannot be watched. */
const FALLBACK_POLL_MS = 250;

/**
 * Waits for the background supervisor's word: state.json (rewritten by rename on every change,
 * which the directory watch reports) saying healthy or failed, or the child's exit.
 */
function awaitSupervisor(
  dir: string,
  child: ChildProcess,
  options: { deadline: number; dashboard: boolean; outPath: string },
): Promise<void> {
  return new Promise((resolveWait, rejectWait) => {
    const seen: { exited: string | null; done: boolean } = { exited: null, done: false };
    let watcher: FSWatcher | null = null;
    let poll: NodeJS.Timeout | null = null;
    const finish = (err?: Error) => {
      if (seen.done) return;
      seen.done = true;
      watcher?.close();
      if (poll) clearInterval(poll);
      clearTimeout(timer);
      if (err) rejectWait(err);
      else resolveWait();
    };
    const check = () => {
      if (seen.done) return;
      try {
        const state = readState(dir);
        const ours = state?.writer === child.pid;
        if (state && ours && state.status === 'healthy' && (!options.dashboard || state.dashboard))
          return finish();
        if (state && ours && state.status === 'failed')
          return finish(
            new UserError(
              state.error ??
                `the supervisor failed to start the deployment; see ${options.outPath}`,
            ),
          );
        if (seen.exited !== null)
          return finish(
            new UserError(
              state?.error ??
                `the supervisor exited (${seen.exited}) before the deployment became healthy: ${tailOf(options.outPath, 1).replace(/^quorum: /, '') || 'no output'}`,
            ),
          );
      } catch (err) {
        finish(err instanceof Error ? err : new Error(String(err)));
      }
    };
    // where the directory cannot be watched (no inotify left, a filesystem without it), the
    // state file is read every FALLBACK_POLL_MS instead
    const pollInstead = () => {
      watcher?.close();
      watcher = null;
      poll ??= setInterval(check, FALLBACK_POLL_MS);
    };
    try {
      watcher = watchDir(dir, (_event, file) => {
        // some platforms do not say which file changed
        if (file === null || file === 'state.json') check();
      });
      watcher.on('error', pollInstead);
    } catch {
      pollInstead();
    }
    child.once('exit', (code, signal) => {
      seen.exited = signal ?? String(code);
      check();
    });
    const timer = setTimeout(
      () => {
        child.kill('SIGTERM');
        finish(
          new UserError(
            `the deployment did not become healthy in time; the supervisor was stopped; see ${options.outPath}`,
          ),
        );
      },
      Math.max(0, options.deadline - Date.now()),
    );
    check();
  });
}

export async function runDetached(
  spec: LocalSpec,
  dir: string,
  opts: UpOptions,
  displayDir: string,
): Promise<void> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const outPath = join(dir, 'supervisor.out');
  const out = openSync(outPath, 'a');
  const script = process.argv[1];
  if (!script) throw new Error('cannot tell how quorum was started');
  const { args, env } = childArgs(process.argv.slice(2).filter((a) => a !== '--detach'));
  const child = spawn(process.execPath, [script, ...args, '--supervisor'], {
    detached: true,
    stdio: ['ignore', out, out],
    env: { ...process.env, ...env },
  });
  closeSync(out);
  child.unref();
  const started = Date.now();
  if (opts.json !== true)
    process.stderr.write(
      `starting '${spec.name}' in the background (supervisor pid ${child.pid ?? '?'}); waiting until healthy...\n`,
    );
  await awaitSupervisor(dir, child, {
    deadline: started + opts.healthTimeout * 1000 + 30_000,
    dashboard: opts.dashboard,
    outPath,
  });
  await printHealthy(
    spec,
    dir,
    displayDir,
    Date.now() - started,
    opts.json === true,
    opts.dashboardPortIsDefault === true,
  );
}

import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import {
  callControl,
  pidAlive,
  readState,
  runningSupervisor,
  stopLeftovers,
  markStopped,
  KILL_AFTER_MS,
  destroyLab,
} from '../local/index.js';

/** Files and folders quorum creates in a data dir; --purge removes these and nothing else. */
function ownedEntries(dir: string, names: string[]): string[] {
  const fixed = [
    'state.json',
    'events.jsonl',
    'supervisor.log',
    'supervisor.out',
    'supervisor.sock',
    // up --tls and up --acl: keys, certificates and passwords
    'tls',
    'acl',
  ];
  return readdirSync(dir).filter(
    (entry) =>
      fixed.includes(entry) || names.includes(entry) || /^state\.json\.\d+\.tmp$/.test(entry),
  );
}

export function registerDown(program: Command): void {
  program
    .command('down')
    .description(
      'stop the local deployment: sentinels first, then data nodes (SIGTERM, then SIGKILL)',
    )
    .option('--dir <dir>', 'data directory', '.quorum')
    .option('--purge', 'also delete its configs, data, logs and events')
    .option('--json', 'print what was done as JSON')
    .action(async (opts: { dir: string; purge?: boolean; json?: boolean }) => {
      const dir = resolve(opts.dir);
      const state = readState(dir);
      const say = (message: string, extra: Record<string, unknown> = {}) => {
        process.stdout.write(
          opts.json === true ? JSON.stringify({ message, ...extra }) + '\n' : `${message}\n`,
        );
      };
      if (!state) {
        say(`nothing to stop: there is no deployment in ${opts.dir}`, { stopped: false });
        return;
      }
      const running = await runningSupervisor(state);
      let how: string;
      if (running) {
        await callControl(state.supervisor?.socket ?? '', { op: 'shutdown' });
        // sentinels stop first, then data nodes, each allowed KILL_AFTER_MS before SIGKILL
        const deadline = Date.now() + KILL_AFTER_MS * 4 + 20_000;
        while (pidAlive(running.pid) && Date.now() < deadline)
          await new Promise((r) => setTimeout(r, 100));
        if (pidAlive(running.pid)) {
          process.kill(running.pid, 'SIGKILL');
          await stopLeftovers(state);
          markStopped(dir, state);
          how = 'the supervisor did not stop in time and was killed';
        } else {
          how = `the supervisor (pid ${running.pid}) stopped every process`;
        }
      } else {
        const count = await stopLeftovers(state);
        markStopped(dir, state);
        how =
          count > 0
            ? `no supervisor was running; stopped ${count} leftover process${count === 1 ? '' : 'es'}`
            : 'it was not running';
      }
      // a supervisor that died (or was killed) left its lab network behind
      const removed = state.spec.lab ? destroyLab(state.spec.lab) : [];
      if (removed.length > 0)
        how += `; removed the lab network (${removed.length} namespaces and links)`;
      if (opts.purge === true) {
        const names = state.processes.map((p) => p.name);
        for (const entry of ownedEntries(dir, names))
          rmSync(join(dir, entry), { recursive: true, force: true });
        if (existsSync(dir) && readdirSync(dir).length === 0) rmSync(dir, { recursive: true });
        say(`stopped and deleted the deployment '${state.spec.name}' in ${opts.dir} (${how})`, {
          stopped: true,
          purged: true,
        });
        return;
      }
      say(
        `stopped the deployment '${state.spec.name}' in ${opts.dir} (${how}); data and events are kept`,
        { stopped: true, purged: false },
      );
    });
}

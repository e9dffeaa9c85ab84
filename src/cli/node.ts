import { resolve } from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../model/index.js';
import type { NodeAction } from '../local/index.js';
import {
  callControl,
  NODE_ACTION_TIMEOUT_MS,
  nodeActions,
  readState,
  runningSupervisor,
} from '../local/index.js';

export function registerNode(program: Command): void {
  program
    .command('node')
    .description(
      'start, stop (SIGTERM), kill (SIGKILL) or restart one local process through the supervisor',
    )
    .argument('<action>', nodeActions.join('|'))
    .argument('<node>', 'a name (redis-1, sentinel-2), host:port, or port')
    .option('--dir <dir>', 'data directory', '.quorum')
    .option('--json', 'print the result as JSON')
    .action(async (action: string, node: string, opts: { dir: string; json?: boolean }) => {
      if (!(nodeActions as readonly string[]).includes(action)) {
        throw new UserError(
          `'${action}' is not a node action; use one of ${nodeActions.join(', ')}`,
          2,
        );
      }
      const dir = resolve(opts.dir);
      const state = readState(dir);
      const running = await runningSupervisor(state);
      if (!state?.supervisor || !running) {
        throw new UserError(
          `no supervisor is running in ${opts.dir}; start the deployment with 'quorum up --dir ${opts.dir}'`,
        );
      }
      const answer = await callControl(
        state.supervisor.socket,
        {
          op: 'node',
          action: action as NodeAction,
          target: node,
        },
        NODE_ACTION_TIMEOUT_MS,
        // the wait goes to stderr, so stdout stays the answer (and valid JSON with --json)
        (line) => process.stderr.write(`${line}\n`),
      );
      if (!answer.ok) throw new UserError(answer.error, answer.exitCode ?? 1);
      const message = answer.message ?? 'done';
      process.stdout.write(
        opts.json === true ? JSON.stringify({ action, node, message }) + '\n' : `${message}\n`,
      );
    });
}

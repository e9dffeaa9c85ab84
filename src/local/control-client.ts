import { UserError } from '../model/index.js';
import type { NodeController } from './control.js';
import { NODE_ACTION_TIMEOUT_MS } from './control.js';
import { callControl } from './control-socket.js';

/** A NodeController that talks to a supervisor in another process over its control socket. */
export function controlClient(socketPath: string): NodeController {
  return {
    async act(action, target, actor, progress) {
      const answer = await callControl(
        socketPath,
        { op: 'node', action, target, actor },
        NODE_ACTION_TIMEOUT_MS,
        progress,
      );
      if (!answer.ok) throw new UserError(answer.error, answer.exitCode ?? 1);
      return answer.message ?? 'done';
    },
    async addNode(actor) {
      const answer = await callControl(
        socketPath,
        { op: 'add-node', actor },
        NODE_ACTION_TIMEOUT_MS,
      );
      if (!answer.ok) throw new UserError(answer.error, answer.exitCode ?? 1);
      if (!answer.added) throw new UserError('the supervisor started no node');
      return answer.added;
    },
    async removeNode(target, actor) {
      const answer = await callControl(
        socketPath,
        { op: 'remove-node', target, actor },
        NODE_ACTION_TIMEOUT_MS,
      );
      if (!answer.ok) throw new UserError(answer.error, answer.exitCode ?? 1);
      return answer.message ?? 'removed';
    },
    async processes() {
      const answer = await callControl(socketPath, { op: 'processes' }, 3000);
      return answer.ok ? (answer.processes ?? []) : [];
    },
    recordsActions: false,
    async record(type, message, detail) {
      await callControl(socketPath, { op: 'record', type, message, detail }, 3000);
    },
  };
}

import type { ProxyStats } from '../proxy/index.js';
import type { ControlHandler, NodeController } from './control.js';
import type { SupervisorState } from './host.js';

/** What the control socket reaches of a running supervisor. */
export interface ControlTarget {
  state(): SupervisorState;
  controller(): NodeController;
  proxyStats(): ProxyStats | null;
}

/** Answers the control socket's requests (`node`, `down`, `status`, `cluster`) for a supervisor. */
export function controlHandler(target: ControlTarget): ControlHandler {
  const nodes = target.controller();
  const base = () => ({ ok: true as const, pid: process.pid, status: target.state() });
  return async (request, progress) => {
    switch (request.op) {
      case 'ping':
        return base();
      case 'processes':
        return { ...base(), processes: await nodes.processes() };
      case 'node': {
        const message = await nodes.act(
          request.action,
          request.target,
          request.actor ?? 'cli',
          progress,
        );
        return { ...base(), message };
      }
      case 'proxy':
        return { ...base(), proxy: target.proxyStats() };
      case 'record':
        await nodes.record(request.type, request.message, request.detail);
        return base();
      case 'add-node': {
        const added = await nodes.addNode(request.actor ?? 'cli');
        return { ...base(), added, message: `started ${added.name} (${added.addr})` };
      }
      case 'remove-node': {
        const message = await nodes.removeNode(request.target, request.actor ?? 'cli');
        return { ...base(), message };
      }
      case 'shutdown':
        setImmediate(() => process.kill(process.pid, 'SIGTERM'));
        return { ok: true, pid: process.pid, status: 'stopping' };
    }
  };
}

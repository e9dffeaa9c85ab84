import type { ProxyStats } from '../proxy/index.js';
import type { SupervisorState } from './host.js';
import type { ProcessTable } from './process-table.js';
import { writeState } from './state.js';

/** The proxy running next to the supervisor: where it listens and how it is doing. */
export interface SupervisedProxy {
  endpoints: { write: string; read: string };
  stats(): ProxyStats;
}

/**
 * The supervisor's side of `<dir>/state.json`: what it writes on every change, so another quorum
 * process can find, inspect and stop the deployment. Only the supervisor writes it while it runs.
 */
export class SupervisorStateFile {
  /** When the current launch began (ms since epoch). */
  startedAtMs = Date.now();
  /** Where the dashboard for this deployment is served, for `up --detach` to print. */
  dashboard: { url: string; token: string } | null = null;
  /** The proxy this process runs for the deployment, for `status` to show. */
  proxy: SupervisedProxy | null = null;

  constructor(
    private readonly dir: string,
    private readonly socketPath: string,
    private readonly table: ProcessTable,
  ) {}

  write(state: SupervisorState, error: string | null = null): void {
    // nothing exists before the first launch, so there is nothing to tell
    if (state === 'idle') return;
    const gone = state === 'stopped' || state === 'failed';
    writeState(this.dir, {
      version: 1,
      status: state,
      spec: this.table.spec,
      supervisor: gone
        ? null
        : { pid: process.pid, socket: this.socketPath, startedAtMs: this.startedAtMs },
      processes: this.table.all().map((p) => ({
        name: p.plan.name,
        kind: p.plan.kind,
        port: p.plan.port,
        host: p.plan.host,
        dir: p.dir,
        pid: p.pid,
      })),
      error,
      dashboard: gone ? null : this.dashboard,
      proxy: gone || !this.proxy ? null : this.proxy.endpoints,
    });
  }
}

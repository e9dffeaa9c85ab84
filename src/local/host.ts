import type { QuorumEvent } from '../model/index.js';
import type { Observer } from '../observer/index.js';
import type { LocalAccess } from './access.js';
import type { SupervisedProcess } from './process.js';
import type { ProcessTable } from './process-table.js';
import type { LocalSpec } from './spec.js';
import type { LocalState } from './state.js';

/**
 * The supervisor's lifecycle. `idle`: constructed, nothing created yet (no lab, no process, no
 * connection); `launch()` moves it to `starting`, then `healthy` or `failed`; `shutdown()` to
 * `stopping`, then `stopped`. Every state but `idle` is written to state.json.
 */
export type SupervisorState = 'idle' | LocalState['status'];

/** What the node actions and the cluster membership changes work with, of a launched supervisor. */
export interface SupervisorHost {
  spec: LocalSpec;
  /** How quorum reaches the processes (their password, TLS files). */
  access: LocalAccess;
  table: ProcessTable;
  observer: Observer;
  state(): SupervisorState;
  /** Starts the process and waits until it answers PING; refused once a shutdown began. */
  startAndAnswer(proc: SupervisedProcess, extraArgs?: string[]): Promise<void>;
  /** The stored event log, oldest first. */
  events(): QuorumEvent[];
  /** Writes state.json (pids, status). */
  persist(): void;
  /** Runs work once every earlier action ended: actions never overlap, nor with a shutdown. */
  exclusive<T>(work: () => Promise<T>): Promise<T>;
}

import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { UserError } from '../model/index.js';

const specBase = {
  name: z.string(),
  host: z.string(),
  port: z.number(),
  password: z.string().nullable(),
  autorestart: z.boolean(),
  preset: z.enum(['default', 'safe']).default('default'),
  network: z.enum(['loopback', 'lab']).default('loopback'),
  lab: z.object({ tag: z.string(), subnet: z.string() }).nullable().default(null),
  tls: z
    .object({ authClients: z.enum(['yes', 'optional', 'no']) })
    .nullable()
    .default(null),
  acl: z
    .object({
      passwords: z.object({
        quorum: z.string(),
        sentinel: z.string(),
        replica: z.string(),
        backup: z.string(),
        app: z.string(),
      }),
    })
    .nullable()
    .default(null),
};

/**
 * The spec as kept in state.json. Files written before the spec became a union carry every field
 * of both kinds (a cluster with `sentinels: 0`); the fields of the other kind are dropped on read,
 * and a file from before cluster mode has no `mode` at all.
 */
const specSchema = z.preprocess(
  (value) =>
    typeof value === 'object' && value !== null && !('mode' in value)
      ? { ...value, mode: 'sentinel' }
      : value,
  z.discriminatedUnion('mode', [
    z.object({
      ...specBase,
      mode: z.literal('sentinel'),
      sentinelPort: z.number(),
      replicas: z.number(),
      sentinels: z.number(),
      quorum: z.number(),
      downAfterMs: z.number(),
      failoverTimeoutMs: z.number(),
      proxyPort: z.number().nullable().default(null),
    }),
    z.object({
      ...specBase,
      mode: z.literal('cluster'),
      masters: z.number(),
      replicasPerMaster: z.number(),
      nodeTimeoutMs: z.number().default(5000),
      extraNodes: z.number().default(0),
      removedNodes: z.array(z.string()).default([]),
    }),
  ]),
);

const stateSchema = z.object({
  version: z.literal(1),
  /** The pid of the process that wrote this state. */
  writer: z.number(),
  status: z.enum(['starting', 'healthy', 'stopping', 'stopped', 'failed']),
  spec: specSchema,
  supervisor: z.object({ pid: z.number(), socket: z.string(), startedAtMs: z.number() }).nullable(),
  processes: z.array(
    z.object({
      name: z.string(),
      kind: z.enum(['redis', 'sentinel']),
      port: z.number(),
      /** Its address; absent in state files written before the lab network. */
      host: z.string().optional(),
      dir: z.string(),
      pid: z.number().nullable(),
    }),
  ),
  /** Why the last start failed, for `up --detach` to report. */
  error: z.string().nullable(),
  /** The dashboard the supervisor serves (the file is readable by its owner only). */
  dashboard: z.object({ url: z.string(), token: z.string() }).nullable().default(null),
  /** The proxy the supervisor runs: its two endpoints. */
  proxy: z.object({ write: z.string(), read: z.string() }).nullable().default(null),
});

/** `<dir>/state.json`: how another quorum process finds, inspects and stops a local deployment. */
export type LocalState = z.infer<typeof stateSchema>;

export function statePath(dir: string): string {
  return join(dir, 'state.json');
}

/** Reads the state file; null when absent. Throws a one-sentence error when it is unreadable. */
export function readState(dir: string): LocalState | null {
  const path = statePath(dir);
  if (!existsSync(path)) return null;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new UserError(`${path} is not valid JSON; remove ${dir} if it holds nothing you need`);
  }
  const parsed = stateSchema.safeParse(json);
  if (!parsed.success)
    throw new UserError(
      `${path} is not a quorum state file this version understands; remove ${dir} if it holds nothing you need`,
    );
  return parsed.data;
}

/** Writes the state file atomically (write then rename), readable by its owner only. */
export function writeState(dir: string, content: Omit<LocalState, 'writer'>): void {
  const state: LocalState = { ...content, writer: process.pid };
  const path = statePath(dir);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, path);
}

/** Whether a process with this pid exists. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Records that nothing of the deployment runs any more (after a stop or a cleanup). */
export function markStopped(dir: string, state: LocalState): void {
  writeState(dir, {
    ...state,
    status: 'stopped',
    supervisor: null,
    dashboard: null,
    proxy: null,
    processes: state.processes.map((p) => ({ ...p, pid: null })),
  });
}

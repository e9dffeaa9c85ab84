export {
  DEFAULT_FAILOVER_TIMEOUT_MS,
  defaultSpec,
  describeSpec,
  expectationOf,
  modes,
  networks,
  planProcesses,
  presets,
  tlsAuthClients,
} from './spec.js';
export type {
  ClusterSpec,
  LocalSpec,
  Mode,
  Network,
  Preset,
  SentinelSpec,
  TlsSpec,
} from './spec.js';
export { isPortFree } from './ports.js';
export { KILL_AFTER_MS, tailOf } from './process.js';
export type { ProcessState } from './process.js';
export { markStopped, pidAlive, readState } from './state.js';
export type { LocalState } from './state.js';
export { NODE_ACTION_TIMEOUT_MS, nodeActions } from './control.js';
export { callControl } from './control-socket.js';
export type { NodeAction, NodeController, ProcessAction, ProcessInfo } from './control.js';
export { Supervisor } from './supervisor.js';
export { preflight, runningSupervisor, stopLeftovers } from './preflight.js';
export {
  bridgeName,
  clientMembers,
  destroyLab,
  inNetns,
  labLeftovers,
  labUnavailable,
  netnsName,
  planLab,
  run,
} from './lab.js';
export type { LabMember, LabPlan } from './lab.js';
export { controlClient } from './control-client.js';
export { observeTargetOf } from './observe-target.js';
export { localAccess } from './access.js';
export { aclPasswordFile, newAclSpec } from './acl-files.js';

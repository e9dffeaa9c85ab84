export { Deployment, DEFAULT_CALL_TIMEOUT_MS } from './deployment.js';
export type { DeploymentParts } from './deployment.js';
export type { ConnectionProfile, ProcessRole } from './profile.js';
export { linkOptions } from './profile.js';
export { attach, openLocal } from './open.js';
export type { InProcess, OpenOptions } from './open.js';
export { localProcesses, localProxy, localTarget } from './local.js';
export { Job, JobCancelled, JobDesk } from './jobs.js';
export type { JobListener } from './jobs.js';
export { DEFAULT_JOBS_KEPT, JobArchive } from './job-archive.js';
export { familyOf, isEnded, jobRecordSchema, transition } from './job-types.js';
export type {
  JobProgress,
  JobRecord,
  JobSpec,
  JobState,
  JobStep,
  StepContext,
} from './job-types.js';
export { addNodeSteps, describeAdded, removeClusterNode } from './cluster-nodes.js';
export type {
  AddedNode,
  AddNodeRequest,
  ClusterAccess,
  NodeAddition,
  NodeHost,
  RemovedNode,
} from './cluster-nodes.js';

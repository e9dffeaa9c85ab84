export { Deployment } from './deployment.js';
export { profileOf } from './profile.js';
export { attach, openLocal } from './open.js';
export { localProcesses, localProxy, localTarget } from './local.js';
export { Job, JobDesk } from './jobs.js';
export type { JobRecord, JobState, JobStep, StepContext } from './job-types.js';
export { addNodeSteps, removeClusterNode } from './cluster-nodes.js';
export type { ClusterAccess } from './cluster-nodes.js';

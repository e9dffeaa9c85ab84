export { Deployment, DEFAULT_CALL_TIMEOUT_MS } from './deployment.js';
export type { DeploymentParts } from './deployment.js';
export type { ConnectionProfile, ProcessRole } from './profile.js';
export { linkOptions } from './profile.js';
export { attach, openLocal } from './open.js';
export type { InProcess, OpenOptions } from './open.js';
export { localProcesses, localProxy, localTarget } from './local.js';

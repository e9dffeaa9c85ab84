export { Deployment } from './deployment.js';
export { attach, openLocal } from './open.js';
export { localProcesses, localProxy, localTarget } from './local.js';

export { debugSleepNode, failoverDeployment, switchoverDeployment } from './on-deployment.js';
export { nodeDetails } from './details.js';
export type { NodeDetails } from './details.js';

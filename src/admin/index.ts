export { debugSleepNode, failoverDeployment, switchoverDeployment } from './on-deployment.js';
export { nodeDetails, redactConfig } from './details.js';
export type { NodeDetails } from './details.js';

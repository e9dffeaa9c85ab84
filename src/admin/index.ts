export { safeSwitchover, switchoverParties } from './switchover.js';
export type { SwitchoverOptions, SwitchoverResult } from './switchover.js';
export { sentinelFailover } from './failover.js';
export { debugSleepNode, failoverDeployment, switchoverDeployment } from './on-deployment.js';
export { nodeDetails, redactConfig } from './details.js';
export type { NodeDetails } from './details.js';

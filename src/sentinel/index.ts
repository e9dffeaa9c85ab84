export { safeSwitchover, switchoverParties } from './switchover.js';
export type { SwitchoverResult } from './switchover.js';
export { sentinelFailover } from './failover.js';

export { safeSwitchover, switchoverParties } from './switchover.js';
export type { SwitchoverOptions, SwitchoverResult } from './switchover.js';
export { sentinelFailover } from './failover.js';

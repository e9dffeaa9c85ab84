export * from './switchover.js';
export * from './failover.js';

export * from './address.js';
export * from './topology.js';
export * from './agreement.js';
export * from './event.js';
export * from './dedup.js';
export * from './health.js';
export * from './diff.js';
export * from './errors.js';

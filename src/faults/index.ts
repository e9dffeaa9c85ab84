export * from './fault.js';
export * from './process-faults.js';
export * from './command-faults.js';
export * from './network.js';
export * from './cluster-faults.js';

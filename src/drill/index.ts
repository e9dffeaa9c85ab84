export * from './ledger.js';
export * from './checker.js';
export * from './workload.js';
export * from './scenarios.js';
export * from './runner.js';
export * from './summary.js';
export * from './report.js';
export * from './schema.js';

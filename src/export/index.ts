export * from './haproxy.js';
export * from './prometheus-rules.js';
export * from './prometheus-rules-tests.js';
export * from './grafana.js';

export * from './haproxy.js';

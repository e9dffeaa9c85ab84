export * from './info.js';
export * from './sentinel-replies.js';
export * from './errors.js';
export * from './link.js';
export * from './node-reader.js';
export * from './sentinel-reader.js';
export * from './debug-sleep.js';
export * from './cluster-reader.js';

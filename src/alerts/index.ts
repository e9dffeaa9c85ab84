export * from './rule.js';
export * from './catalogue.js';
export * from './engine.js';
export * from './notify.js';
export * from './config.js';

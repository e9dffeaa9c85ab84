export * from './exposition.js';
export * from './render.js';

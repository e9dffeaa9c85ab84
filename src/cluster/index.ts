export * from './links.js';
export * from './create.js';

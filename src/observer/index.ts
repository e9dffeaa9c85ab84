export * from './bus.js';
export * from './event-log.js';
export * from './observer.js';
export * from './target.js';

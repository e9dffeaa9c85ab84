export { EventLog } from './event-log.js';
export { Observer } from './observer.js';
export type { ObserverStats } from './observer.js';
export type { ObserveTarget } from './target.js';

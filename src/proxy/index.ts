export * from './routes.js';
export * from './tracker.js';
export * from './server.js';
export type { RelayKind } from './relay.js';

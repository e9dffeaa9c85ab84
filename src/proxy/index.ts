export * from './routes.js';
export * from './tracker.js';
export * from './server.js';
export type { CarriedSession, Relay, RelayKind } from './relay.js';
export { createRelay } from './native-relay.js';

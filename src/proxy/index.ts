export * from './routes.js';
export * from './tracker.js';
export type { TrackerPhase } from './tracker-state.js';
export * from './server.js';
export type { BackendStats, ProxyOptions, ProxyStats, Side } from './types.js';
export type { CarriedSession, Relay, RelayKind } from './relay.js';
export { createRelay } from './native-relay.js';

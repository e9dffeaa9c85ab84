export type { ProxyStats } from './types.js';
export type { AcceptHooks, AcceptingRelay, CarriedSession, Relay, RelayKind } from './relay.js';
export { isAccepting } from './relay.js';
export { createRelay } from './native-relay.js';
export type { ReadFallback } from './routes.js';
export { MasterTracker } from './tracker.js';
export { PROXY_DEFAULTS, ProxyServer } from './server.js';

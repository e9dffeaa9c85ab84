export * from './contract.js';
export * from './history.js';
export * from './hub.js';
export * from './auth.js';
export * from './actions.js';
export * from './app.js';
export * from './serve.js';

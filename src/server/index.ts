export type { DeploymentState, NodeDetails } from './contract.js';
export { Hub } from './hub.js';
export { createApp } from './app.js';
export { checkTokens, DEFAULT_DASHBOARD_PORT, startDashboard, WEB_ROOT } from './serve.js';
export type { Dashboard } from './serve.js';

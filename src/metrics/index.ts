export { renderMetrics } from './render.js';
export type { DeploymentMetrics } from './render.js';

export { securityProblems } from './checks.js';
export { gatherSecurityFacts } from './facts.js';
export type { SecurityProblem } from './checks.js';

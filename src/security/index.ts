export { securityProblems } from './checks.js';
export { gatherSecurityFacts } from './facts.js';

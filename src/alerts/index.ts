export { ALERT_RULES, ruleNamed } from './catalogue.js';
export { AlertEngine, DEFAULT_ALERT_SETTINGS } from './engine.js';
export type { Alert, AlertSettings, AlertTransition } from './engine.js';
export { Notifiers } from './notify.js';
export type { WebhookPayload } from './notify.js';
export { alertConfigFrom, alertsSchema, DEFAULT_ALERT_CONFIG } from './config.js';
export type { AlertConfig } from './config.js';
export { highestSeverity } from './rule.js';
export type { Severity } from './rule.js';

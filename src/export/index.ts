export { renderHaproxy } from './haproxy.js';
export { renderPrometheusRules } from './prometheus-rules.js';
export { renderPrometheusRuleTests } from './prometheus-rules-tests.js';
export { grafanaExpressions, renderGrafana } from './grafana.js';

export { writeSeries } from './checker.js';
export { DEFAULT_WORKLOAD, VIAS } from './workload.js';
export type { Via } from './workload.js';
export {
  kindRefusal,
  safeWindowLoss,
  scenarioNamed,
  SCENARIOS,
  scenariosFor,
} from './scenarios.js';
export type {
  ClusterRun,
  DrillRun,
  LiveRun,
  RunCommon,
  RunVia,
  Scenario,
  ScenarioKind,
  SentinelRun,
} from './types.js';
export type { ScenarioResult } from './summary.js';
export { renderReport } from './report.js';
export { drillOutputSchema, scenarioResultSchema } from './schema.js';
export { DrillStore, listingOf } from './store.js';
export type { DrillListing, DrillRecord } from './store.js';
export { drillRecorder, runDrills } from './session.js';
export type { DrillTarget } from './session.js';
export { isFinished } from './live.js';
export type { LedgerLine } from './ledger-file.js';
export { clusterLossBound } from './cluster-checker.js';
export { failoverBoundMs } from '../model/deviation.js';

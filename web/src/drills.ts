import type { DrillScenarioInfo } from '../../src/server/contract.js';

/** Why a scenario cannot start here, as an option's suffix; null when it can (pure). */
export function scenarioBlocked(
  scenario: Pick<DrillScenarioInfo, 'needsLab'>,
  lab: boolean,
): string | null {
  return scenario.needsLab && !lab ? 'needs --network lab' : null;
}

/**
 * The scenario to show selected (pure): the one picked while it can start here, else the first
 * that can; null when none can.
 */
export function selectableScenario(
  scenarios: readonly DrillScenarioInfo[],
  picked: string,
  lab: boolean,
): string | null {
  const open = scenarios.filter((s) => scenarioBlocked(s, lab) === null);
  return (open.find((s) => s.name === picked) ?? open[0])?.name ?? null;
}

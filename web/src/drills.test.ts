import { describe, expect, it } from 'vitest';
import type { DrillScenarioInfo } from '../../src/server/contract.js';
import { scenarioBlocked, selectableScenario } from './drills.js';

function scenario(name: string, needsLab: boolean): DrillScenarioInfo {
  return { name, description: name, expectFailover: true, needsProcesses: false, needsLab };
}

const SCENARIOS = [
  scenario('partition-master', true),
  scenario('kill-master', false),
  scenario('pause-master', false),
];

describe('scenarioBlocked', () => {
  it('says a lab scenario needs --network lab off a lab, and nothing on a lab', () => {
    expect(scenarioBlocked(scenario('partition-master', true), false)).toBe('needs --network lab');
    expect(scenarioBlocked(scenario('partition-master', true), true)).toBeNull();
    expect(scenarioBlocked(scenario('kill-master', false), false)).toBeNull();
  });
});

describe('selectableScenario', () => {
  it('keeps the pick while it can start here', () => {
    expect(selectableScenario(SCENARIOS, 'pause-master', false)).toBe('pause-master');
    expect(selectableScenario(SCENARIOS, 'partition-master', true)).toBe('partition-master');
  });

  it('falls back to the first scenario that can start when the pick cannot, or is unknown', () => {
    expect(selectableScenario(SCENARIOS, 'partition-master', false)).toBe('kill-master');
    expect(selectableScenario(SCENARIOS, 'gone', true)).toBe('partition-master');
  });

  it('is null when no scenario can start (or none is loaded yet)', () => {
    expect(
      selectableScenario([scenario('partition-master', true)], 'partition-master', false),
    ).toBeNull();
    expect(selectableScenario([], 'kill-master', true)).toBeNull();
  });
});

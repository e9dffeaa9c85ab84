import { expect } from 'vitest';
import type { LabPlan, LocalState } from '../src/local/index.js';
import { readState } from '../src/local/index.js';
import type { TestDeployment } from './helpers.js';
import { startDeployment } from './helpers.js';

/** A deployment on the lab network (down-after 2 s, no dashboard, no proxy) and its plan. */
export async function startLab(
  name: string,
): Promise<{ lab: TestDeployment; plan: LabPlan; state: LocalState }> {
  const lab = await startDeployment(name, [
    '--network',
    'lab',
    '--down-after',
    '2000',
    '--no-dashboard',
    '--no-proxy',
  ]);
  expect(lab.up.code, lab.up.stderr).toBe(0);
  const state = readState(lab.dir);
  if (!state?.spec.lab) throw new Error('no lab in state.json');
  return { lab, plan: state.spec.lab, state };
}

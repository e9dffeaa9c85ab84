import { describe, expect, it } from 'vitest';
import { clusterRun, drillRun } from '../drill/run.fixture.js';
import { scenarioNamed } from '../drill/index.js';
import { summarize } from '../drill/summary.js';
import { renderResult } from './drill-render.js';

function scenario(name: string) {
  const s = scenarioNamed(name);
  if (!s) throw new Error(`no scenario ${name}`);
  return s;
}

describe('renderResult', () => {
  it('shows the indeterminate writes present/missing and the late acknowledgements, lost or not', () => {
    const text = renderResult(
      summarize(
        scenario('switchover'),
        [
          drillRun({
            indeterminatePresent: 7,
            indeterminateLost: 3,
            lateAcked: 5,
            lateAckedLost: 2,
          }),
          drillRun({ indeterminateLost: null, lateAcked: null, lateAckedLost: null }),
        ],
        2000,
      ),
    );
    const [head, first, second] = text.split('\n').slice(1);
    expect(head).toMatch(/LOST\s+INDET\.\s+LATE ACKED\s+VERDICT/);
    expect(first).toMatch(/\s7\/3\s+5 \(2 lost\)\s/);
    // a run kept before late replies were recorded
    expect(second).toMatch(/\s2\/-\s+-\s/);
    expect(text).toContain('LATE ACKED: answered OK after the timeout');
  });

  it('says how many missing writes a stop-master run excused', () => {
    const text = renderResult(
      summarize(
        scenario('stop-master'),
        [drillRun({ indeterminateLost: 12, unansweredAfterFault: 12, unansweredExempted: 12 })],
        2000,
      ),
    );
    expect(text.split('\n')[2]).toMatch(/\s2\/12 \(12 excused\)\s/);
    expect(text).toContain('excused: missing, sent after the fault and never answered');
  });

  it('has the same columns for a cluster run', () => {
    const text = renderResult(
      summarize(scenario('cluster-kill-master'), [clusterRun({ lateAcked: 4 })], 2000),
    );
    expect(text).toMatch(/LOST\s+INDET\.\s+LATE ACKED\s+VERDICT/);
    expect(text).toMatch(/\s2\/0\s+4\s/);
  });
});

import { describe, expect, it } from 'vitest';
import { renderReport } from './report.js';
import { drillRun } from './run.fixture.js';
import { scenarioNamed } from './scenarios.js';
import { summarize } from './summary.js';

const run = drillRun();

describe('renderReport', () => {
  const scenario = scenarioNamed('kill-master');
  if (!scenario) throw new Error('no kill-master');
  const html = renderReport([summarize(scenario, [run], 2000)], {
    deployment: 'mymaster',
    generatedAt: new Date(0),
  });

  it('shows each measurement next to the bound REFERENCE.md gives', () => {
    expect(html).toContain('about down-after + 1 to 2.5 s: 3.00 s to 4.50 s');
    expect(html).toContain('<td>3.20 s</td>');
    expect(html).toContain('2 of 90 (2.22%)');
    expect(html).toContain('a few at most (the replication window)');
    expect(html).toContain('as expected');
  });

  it('draws one bar pair per bucket, the fault, the events and the write gap', () => {
    expect(html.match(/fill="#0f766e"/g)).toHaveLength(8);
    expect(html.match(/fill="#dc2626"/g)).toHaveLength(2);
    expect(html).toContain('+switch-master 3.20 s');
    expect(html).toContain('no acknowledged write for 3.30 s');
  });

  it('escapes what came from outside', () => {
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;');
  });
});

import { describe, expect, it } from 'vitest';
import { renderReport, sidesTable } from './report.js';
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

  it('shows each measurement next to the bound the Redis docs give', () => {
    expect(html).toContain('about down-after + 1 to 2.5 s: 3.00 s to 4.50 s');
    expect(html).toContain('<td>3.20 s</td>');
    expect(html).toContain('2 of 90 (2.22%)');
    expect(html).toContain('a few at most (the replication window)');
    expect(html).toContain('as expected');
  });

  it('shows a time outside the usual range next to it, and not as "as expected"', () => {
    const early = drillRun({ switchMasterMs: 2970, deviations: ['+switch-master came sooner'] });
    const report = renderReport([summarize(scenario, [early], 2000)], {
      deployment: 'mymaster',
      generatedAt: new Date(0),
    });
    expect(report).toContain('<td>2.97 s (0.03 s sooner than the usual 3.00 s to 4.50 s)</td>');
    expect(report).toContain("within Redis's rules, 1 outside the usual range");
    expect(report).toContain('<li>+switch-master came sooner</li>');
    expect(report).not.toContain('as expected');
  });

  it('draws one bar pair per bucket, the fault, the events and the write gap', () => {
    expect(html.match(/fill="#0f766e"/g)).toHaveLength(8);
    expect(html.match(/fill="#dc2626"/g)).toHaveLength(2);
    expect(html).toContain('+switch-master 3.20 s');
    expect(html).toContain('no acknowledged write for 3.30 s');
  });

  it('draws the span of the fault until its heal', () => {
    expect(html).toContain('heal 8.00 s');
    expect(html).toMatch(/<title>[^<]*: 8\.00 s until healed<\/title>/);
  });

  it('says which node acknowledged the writes and whose were lost (the sides of a partition)', () => {
    const partitioned = drillRun({
      writersIn: 'client-1',
      byNode: [
        { node: '127.0.0.1:6390', acked: 900, lost: 850 },
        { node: '127.0.0.1:6391', acked: 40, lost: 0 },
      ],
    });
    const table = sidesTable(partitioned);
    expect(table).toContain('acknowledged by (writers in client-1)');
    expect(table).toContain(
      '<tr><td>127.0.0.1:6390</td><td>old master</td><td>900</td><td class="bad">850</td></tr>',
    );
    expect(table).toContain(
      '<tr><td>127.0.0.1:6391</td><td>new master</td><td>40</td><td class="">0</td></tr>',
    );
    expect(sidesTable(drillRun())).toBe('');
  });

  it('shows the indeterminate writes present and missing, and those acknowledged late and lost', () => {
    expect(html).toContain('<th>indeterminate missing</th><th>acknowledged late</th>');
    // the fixture: 2 present, 0 missing, 1 acknowledged late, none of those lost
    expect(html).toContain(
      '<td class="">2</td><td class="">0</td><td class="">1</td><td class="">0</td>',
    );
    const lost = renderReport(
      [
        summarize(
          scenario,
          [drillRun({ indeterminateLost: 4, lateAcked: 3, lateAckedLost: 2 })],
          2000,
        ),
      ],
      { deployment: 'mymaster', generatedAt: new Date(0) },
    );
    expect(lost).toContain('<td class="">4</td><td class="">3</td><td class="bad">2</td>');
    const old = renderReport(
      [
        summarize(
          scenario,
          [drillRun({ indeterminateLost: null, lateAcked: null, lateAckedLost: null })],
          2000,
        ),
      ],
      { deployment: 'mymaster', generatedAt: new Date(0) },
    );
    expect(old).toContain('<td class="">-</td><td class="">-</td><td class="">-</td>');
  });

  it('escapes what came from outside', () => {
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;');
  });
});

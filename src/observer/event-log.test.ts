import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EventReport, QuorumEvent } from '../model/index.js';
import { foldEventLog } from './event-log.js';

const S1 = '127.0.0.1:26390';
const S2 = '127.0.0.1:26391';
const S3 = '127.0.0.1:26392';

function sdown(id: string, ms: number, by: string): QuorumEvent {
  return {
    id,
    ms,
    deployment: 'mymaster',
    type: '+sdown',
    source: 'sentinel',
    message: 'master mymaster 127.0.0.1 6390',
    subject: {
      type: 'master',
      name: 'mymaster',
      addr: '127.0.0.1:6390',
      masterName: 'mymaster',
      masterAddr: '127.0.0.1:6390',
    },
    switch: null,
    reports: [{ by, ms }],
    detail: {},
  };
}

function switchMaster(id: string, ms: number): QuorumEvent {
  return {
    id,
    ms,
    deployment: 'mymaster',
    type: '+switch-master',
    source: 'sentinel',
    message: 'mymaster 127.0.0.1 6390 127.0.0.1 6391',
    subject: null,
    switch: { masterName: 'mymaster', from: '127.0.0.1:6390', to: '127.0.0.1:6391' },
    reports: [{ by: S2, ms }],
    detail: {},
  };
}

function nodeDown(id: string, ms: number): QuorumEvent {
  return {
    id,
    ms,
    deployment: 'mymaster',
    type: 'quorum:node-down',
    source: 'quorum',
    message: '127.0.0.1:6390 is down: 127.0.0.1:6390 refused the connection',
    subject: null,
    switch: null,
    reports: [{ by: 'quorum', ms }],
    detail: { addr: '127.0.0.1:6390', reason: 'refused', agreeing: 2, healthy: false, from: null },
  };
}

/** Lines exactly as EventLog writes them. */
const eventLine = (event: QuorumEvent) => JSON.stringify({ kind: 'event', event });
const reportLine = (id: string, report: EventReport) =>
  JSON.stringify({ kind: 'report', id, report });

describe('foldEventLog', () => {
  it('reads events oldest first', () => {
    const events = [nodeDown('e1', 1000), sdown('e2', 1100, S1), switchMaster('e3', 9000)];
    expect(foldEventLog(events.map(eventLine).join('\n') + '\n')).toEqual(events);
  });

  it("folds later report lines into their event's reports", () => {
    const text = [
      eventLine(sdown('e1', 1000, S1)),
      eventLine(nodeDown('e2', 1050)),
      reportLine('e1', { by: S2, ms: 1100 }),
      reportLine('e1', { by: S3, ms: 1400 }),
      '',
    ].join('\n');
    const events = foldEventLog(text);
    expect(events.map((e) => e.id)).toEqual(['e1', 'e2']);
    expect(events[0]?.reports).toEqual([
      { by: S1, ms: 1000 },
      { by: S2, ms: 1100 },
      { by: S3, ms: 1400 },
    ]);
    expect(events[1]?.reports).toEqual([{ by: 'quorum', ms: 1050 }]);
  });

  it('skips a torn last line', () => {
    const full = eventLine(sdown('e2', 2000, S1));
    const text = [eventLine(sdown('e1', 1000, S1)), full.slice(0, full.length - 20)].join('\n');
    expect(foldEventLog(text).map((e) => e.id)).toEqual(['e1']);
  });

  it('skips garbage and lines that do not match the schema', () => {
    const text = [
      'not json at all',
      '{"kind":"event"}',
      JSON.stringify({ kind: 'event', event: { ...sdown('bad', 1, S1), source: 'nobody' } }),
      JSON.stringify({ kind: 'comment', text: 'hello' }),
      '[1,2,3]',
      'null',
      eventLine(sdown('e1', 1000, S1)),
      JSON.stringify({ kind: 'report', id: 'e1', report: { by: S2 } }),
      '\u0000\u0001',
    ].join('\n');
    const events = foldEventLog(text);
    expect(events.map((e) => e.id)).toEqual(['e1']);
    expect(events[0]?.reports).toEqual([{ by: S1, ms: 1000 }]);
  });

  it('drops reports of unknown events and reports written before their event', () => {
    const text = [
      reportLine('e1', { by: S2, ms: 900 }),
      eventLine(sdown('e1', 1000, S1)),
      reportLine('missing', { by: S3, ms: 1100 }),
    ].join('\n');
    expect(foldEventLog(text)[0]?.reports).toEqual([{ by: S1, ms: 1000 }]);
  });

  it('tolerates CRLF line endings and blank lines', () => {
    const text = [
      '',
      eventLine(sdown('e1', 1000, S1)),
      '   ',
      reportLine('e1', { by: S2, ms: 1 }),
      '',
    ].join('\r\n');
    expect(foldEventLog(text)[0]?.reports).toHaveLength(2);
  });

  it('returns nothing for an empty log', () => {
    expect(foldEventLog('')).toEqual([]);
    expect(foldEventLog('\n\n')).toEqual([]);
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        expect(Array.isArray(foldEventLog(text))).toBe(true);
      }),
    );
  });

  it('never throws on arbitrary JSON lines', () => {
    const line = fc.oneof(
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.jsonValue().map((event) => JSON.stringify({ kind: 'event', event })),
      fc
        .tuple(fc.string(), fc.jsonValue())
        .map(([id, report]) => JSON.stringify({ kind: 'report', id, report })),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 10 }), (lines) => {
        expect(foldEventLog(lines.join('\n'))).toEqual([]);
      }),
    );
  });

  it('keeps every whole event when the log is cut anywhere', () => {
    const lines = [
      eventLine(sdown('e1', 1000, S1)),
      reportLine('e1', { by: S2, ms: 1100 }),
      eventLine(switchMaster('e2', 9000)),
      eventLine(nodeDown('e3', 9500)),
    ];
    const text = lines.join('\n') + '\n';
    fc.assert(
      fc.property(fc.integer({ min: 0, max: text.length }), (cut) => {
        const kept = foldEventLog(text.slice(0, cut)).map((e) => e.id);
        const whole = text.slice(0, cut).split('\n').slice(0, -1);
        const expected = whole.filter((l) => l.includes('"kind":"event"')).length;
        expect(kept.length).toBeGreaterThanOrEqual(expected);
        expect(kept).toEqual(['e1', 'e2', 'e3'].slice(0, kept.length));
      }),
    );
  });
});

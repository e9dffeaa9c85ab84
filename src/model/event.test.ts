import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventKey, parseSentinelEvent } from './event.js';

describe('parseSentinelEvent', () => {
  it('parses +switch-master into the old and new master', () => {
    expect(parseSentinelEvent('+switch-master', 'mymaster 127.0.0.1 6390 127.0.0.1 6391')).toEqual({
      type: '+switch-master',
      message: 'mymaster 127.0.0.1 6390 127.0.0.1 6391',
      subject: null,
      switch: { masterName: 'mymaster', from: '127.0.0.1:6390', to: '127.0.0.1:6391' },
    });
  });

  it('brackets IPv6 addresses in +switch-master', () => {
    expect(parseSentinelEvent('+switch-master', 'mymaster ::1 6390 ::1 6391')?.switch).toEqual({
      masterName: 'mymaster',
      from: '[::1]:6390',
      to: '[::1]:6391',
    });
  });

  it('keeps a malformed +switch-master as an event without a switch', () => {
    const parsed = parseSentinelEvent('+switch-master', 'mymaster 127.0.0.1 6390');
    expect(parsed?.type).toBe('+switch-master');
    expect(parsed?.switch).toBeNull();
    expect(parsed?.message).toBe('mymaster 127.0.0.1 6390');
  });

  it('parses +sdown of a master', () => {
    expect(parseSentinelEvent('+sdown', 'master mymaster 127.0.0.1 6390')).toEqual({
      type: '+sdown',
      message: 'master mymaster 127.0.0.1 6390',
      subject: {
        type: 'master',
        name: 'mymaster',
        addr: '127.0.0.1:6390',
        masterName: 'mymaster',
        masterAddr: '127.0.0.1:6390',
      },
      switch: null,
    });
  });

  it('parses +odown and keeps the #quorum suffix in the message', () => {
    const parsed = parseSentinelEvent('+odown', 'master mymaster 127.0.0.1 6390 #quorum 2/2');
    expect(parsed?.message).toBe('master mymaster 127.0.0.1 6390 #quorum 2/2');
    expect(parsed?.subject).toEqual({
      type: 'master',
      name: 'mymaster',
      addr: '127.0.0.1:6390',
      masterName: 'mymaster',
      masterAddr: '127.0.0.1:6390',
    });
  });

  it('parses +selected-slave with its master after the @', () => {
    expect(
      parseSentinelEvent(
        '+selected-slave',
        'slave 127.0.0.1:6391 127.0.0.1 6391 @ mymaster 127.0.0.1 6390',
      )?.subject,
    ).toEqual({
      type: 'slave',
      name: '127.0.0.1:6391',
      addr: '127.0.0.1:6391',
      masterName: 'mymaster',
      masterAddr: '127.0.0.1:6390',
    });
  });

  it('parses +sentinel, whose name is the run id', () => {
    expect(
      parseSentinelEvent(
        '+sentinel',
        'sentinel 54c40256140637904b04d9d3016254572cb37edc 127.0.0.1 31000 @ mymaster 127.0.0.1 11000',
      )?.subject,
    ).toEqual({
      type: 'sentinel',
      name: '54c40256140637904b04d9d3016254572cb37edc',
      addr: '127.0.0.1:31000',
      masterName: 'mymaster',
      masterAddr: '127.0.0.1:11000',
    });
  });

  it('parses -role-change and keeps the trailing text in the message', () => {
    const payload =
      'slave 127.0.0.1:11001 127.0.0.1 11001 @ mymaster 127.0.0.1 11000 new reported role is master';
    expect(parseSentinelEvent('-role-change', payload)).toEqual({
      type: '-role-change',
      message: payload,
      subject: {
        type: 'slave',
        name: '127.0.0.1:11001',
        addr: '127.0.0.1:11001',
        masterName: 'mymaster',
        masterAddr: '127.0.0.1:11000',
      },
      switch: null,
    });
  });

  it('parses +new-epoch, which has no subject', () => {
    expect(parseSentinelEvent('+new-epoch', '1')).toEqual({
      type: '+new-epoch',
      message: '1',
      subject: null,
      switch: null,
    });
  });

  it('parses +tilt, which has no subject', () => {
    expect(parseSentinelEvent('+tilt', '#tilt mode entered')).toEqual({
      type: '+tilt',
      message: '#tilt mode entered',
      subject: null,
      switch: null,
    });
  });

  it('trims the payload', () => {
    expect(parseSentinelEvent('-sdown', '  master mymaster 127.0.0.1 6390\r\n')?.message).toBe(
      'master mymaster 127.0.0.1 6390',
    );
  });

  it('leaves a slave without a valid master part with no master', () => {
    const subject = parseSentinelEvent(
      '+sdown',
      'slave 127.0.0.1:6391 127.0.0.1 6391 @ mymaster 127.0.0.1 notaport',
    )?.subject;
    expect(subject?.addr).toBe('127.0.0.1:6391');
    expect(subject?.masterName).toBeNull();
    expect(subject?.masterAddr).toBeNull();
  });

  it.each([
    ['an unknown instance type', 'replica mymaster 127.0.0.1 6390'],
    ['a port out of range', 'master mymaster 127.0.0.1 70000'],
    ['a missing port', 'master mymaster 127.0.0.1'],
    ['an empty payload', ''],
  ])('has no subject for %s', (_what, payload) => {
    const parsed = parseSentinelEvent('+sdown', payload);
    expect(parsed?.type).toBe('+sdown');
    expect(parsed?.subject).toBeNull();
  });

  it.each(['__sentinel__:hello', 'mychannel', '+Switch-Master', '', '+', 'sdown'])(
    'returns null for the non-event channel %j',
    (channel) => {
      expect(parseSentinelEvent(channel, 'master mymaster 127.0.0.1 6390')).toBeNull();
    },
  );

  it('never throws, and only returns events for event-shaped channels', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (channel, payload) => {
        const parsed = parseSentinelEvent(channel, payload);
        if (parsed) {
          expect(parsed.type).toBe(channel);
          expect(parsed.message).toBe(payload.trim());
        }
      }),
    );
  });

  it('never throws on payloads made of event-like words', () => {
    const word = fc.constantFrom(
      'master',
      'slave',
      'sentinel',
      '@',
      'mymaster',
      '127.0.0.1',
      '::1',
      '6390',
      '0',
      '99999',
      '#quorum',
      '',
    );
    const payload = fc.array(word, { maxLength: 10 }).map((words) => words.join(' '));
    const channel = fc.constantFrom('+sdown', '+switch-master', '-role-change', '+sentinel');
    fc.assert(
      fc.property(channel, payload, (c, p) => {
        const parsed = parseSentinelEvent(c, p);
        expect(parsed?.type).toBe(c);
      }),
    );
  });
});

describe('eventKey', () => {
  it('gives +odown from two sentinels with different quorum counts the same key', () => {
    const a = eventKey('+odown', 'master mymaster 127.0.0.1 6390 #quorum 2/2');
    const b = eventKey('+odown', 'master mymaster 127.0.0.1 6390 #quorum 3/2');
    expect(a).toBe(b);
    expect(a).toBe('+odown master mymaster 127.0.0.1 6390');
  });

  it('distinguishes the event type', () => {
    const payload = 'master mymaster 127.0.0.1 6390';
    expect(eventKey('+sdown', payload)).not.toBe(eventKey('-sdown', payload));
  });

  it('distinguishes the subject', () => {
    expect(eventKey('+sdown', 'master mymaster 127.0.0.1 6390')).not.toBe(
      eventKey('+sdown', 'master mymaster 127.0.0.1 6391'),
    );
  });

  it('keeps a payload that starts with #', () => {
    expect(eventKey('+tilt', '#tilt mode entered')).not.toBe(
      eventKey('+tilt', '#tilt mode exited'),
    );
  });
});

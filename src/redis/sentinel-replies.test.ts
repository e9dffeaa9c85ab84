import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { flagsOf, pairsToRecord } from './sentinel-replies.js';

/** SENTINEL MASTER mymaster, as ioredis returns it from Redis 7 (RESP2, flat array). */
const MASTER_REPLY = [
  'name',
  'mymaster',
  'ip',
  '127.0.0.1',
  'port',
  '6390',
  'runid',
  '8e4a1c1a0b3f4e0c9d7a6b5c4d3e2f1a0b9c8d7e',
  'flags',
  'master',
  'link-pending-commands',
  '0',
  'link-refcount',
  '1',
  'last-ping-sent',
  '0',
  'last-ok-ping-reply',
  '412',
  'last-ping-reply',
  '412',
  'down-after-milliseconds',
  '5000',
  'info-refresh',
  '3620',
  'role-reported',
  'master',
  'role-reported-time',
  '1004351',
  'config-epoch',
  '0',
  'num-slaves',
  '2',
  'num-other-sentinels',
  '2',
  'quorum',
  '2',
  'failover-timeout',
  '60000',
  'parallel-syncs',
  '1',
];

describe('pairsToRecord', () => {
  it('turns a flat key/value array into a record', () => {
    const record = pairsToRecord(MASTER_REPLY);
    expect(record.name).toBe('mymaster');
    expect(record.ip).toBe('127.0.0.1');
    expect(record.port).toBe('6390');
    expect(record['num-other-sentinels']).toBe('2');
    expect(record.quorum).toBe('2');
    expect(Object.keys(record)).toHaveLength(MASTER_REPLY.length / 2);
  });

  it('stringifies numeric values (RESP3 integers)', () => {
    expect(pairsToRecord(['port', 6390, 'quorum', 2])).toEqual({ port: '6390', quorum: '2' });
  });

  it.each([null, undefined, 'name mymaster', 42, { name: 'mymaster' }, true])(
    'returns an empty record for the non-array %j',
    (reply) => {
      expect(pairsToRecord(reply)).toEqual({});
    },
  );

  it('drops the unpaired last key of an odd-length array', () => {
    expect(pairsToRecord(['name', 'mymaster', 'ip'])).toEqual({ name: 'mymaster' });
  });

  it('skips pairs whose value is nested or not a scalar', () => {
    expect(
      pairsToRecord(['flags', ['master'], 'name', 'mymaster', 'x', null, 'y', { a: 1 }, 'z', true]),
    ).toEqual({ name: 'mymaster' });
  });

  it('skips pairs whose key is not a string', () => {
    expect(pairsToRecord([1, 'one', ['k'], 'v', null, 'n', 'ip', '::1'])).toEqual({ ip: '::1' });
  });
});

describe('flagsOf', () => {
  it('splits the flags field', () => {
    expect(flagsOf({ flags: 'master,s_down,o_down' })).toEqual(['master', 's_down', 'o_down']);
    expect(flagsOf({ flags: 'slave' })).toEqual(['slave']);
  });

  it('returns no flags for a missing or empty field, and drops empty items', () => {
    expect(flagsOf({})).toEqual([]);
    expect(flagsOf({ flags: '' })).toEqual([]);
    expect(flagsOf({ flags: 'master,,disconnected,' })).toEqual(['master', 'disconnected']);
  });
});

describe('sentinel reply properties', () => {
  // no sparse arrays: a RESP reply never has holes
  const jsonish = fc.anything({ withNullPrototype: true, withBoxedValues: true });

  it('pairsToRecord never throws and only yields string values', () => {
    fc.assert(
      fc.property(fc.oneof(jsonish, fc.array(jsonish)), (reply) => {
        const values = Object.values(pairsToRecord(reply));
        expect(values.every((v) => typeof v === 'string')).toBe(true);
      }),
    );
  });

  it('pairsToRecord reads back any string pairs', () => {
    const key = fc.stringMatching(/^[a-z][a-z-]{0,20}$/);
    fc.assert(
      fc.property(fc.dictionary(key, fc.string(), { maxKeys: 20 }), (dict) => {
        expect(pairsToRecord(Object.entries(dict).flat())).toEqual(dict);
      }),
    );
  });
});

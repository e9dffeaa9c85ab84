import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buffersReply,
  integerReply,
  ReplyShapeError,
  stringsReply,
  hostPortReply,
  listOfPairsReply,
  pairsReply,
  roleReply,
  shapeOf,
  textReply,
} from './reply-shape.js';

describe('reply shape checks', () => {
  it('names what came instead', () => {
    expect(shapeOf(null)).toBe('nil');
    expect(shapeOf(3)).toBe('an integer');
    expect(shapeOf('OK')).toBe('a string ("OK")');
    expect(shapeOf(['a', 'b'])).toBe('an array of 2');
  });

  it('accepts text and refuses anything else', () => {
    expect(textReply('INFO', '# Server\r\n')).toBe('# Server\r\n');
    expect(() => textReply('INFO', 42)).toThrow('INFO replied with an integer, not text');
  });

  it('reads field/value pairs and refuses odd lists, wrong types and missing fields', () => {
    expect(pairsReply('SENTINEL MASTER', ['ip', '10.0.0.1', 'port', 6379], ['ip'])).toEqual({
      ip: '10.0.0.1',
      port: '6379',
    });
    expect(() => pairsReply('SENTINEL MASTER', 'OK')).toThrow(
      'SENTINEL MASTER replied with a string ("OK"), not a list of field/value pairs',
    );
    expect(() => pairsReply('SENTINEL MASTER', ['ip'])).toThrow('an array of 1, not a list');
    expect(() => pairsReply('SENTINEL MASTER', ['ip', ['x']])).toThrow(
      'SENTINEL MASTER replied with a string ("ip") = an array of 1 in a list of field/value pairs',
    );
    expect(() =>
      pairsReply('SENTINEL MASTER', ['ip', '10.0.0.1'], ['ip', 'port', 'flags']),
    ).toThrow('SENTINEL MASTER replied with field/value pairs without port, flags');
  });

  it('reads a list of pair lists, checking each', () => {
    expect(listOfPairsReply('SENTINEL REPLICAS', [['ip', 'a'], []])).toEqual([{ ip: 'a' }, {}]);
    expect(() => listOfPairsReply('SENTINEL REPLICAS', 7)).toThrow(
      'SENTINEL REPLICAS replied with an integer, not a list of entries',
    );
    expect(() => listOfPairsReply('SENTINEL REPLICAS', [7])).toThrow(
      'SENTINEL REPLICAS replied with an integer, not a list of field/value pairs',
    );
  });

  it('reads [host, port] or nil, and ROLE', () => {
    expect(hostPortReply('GET-MASTER-ADDR-BY-NAME', ['10.0.0.1', '6379'])).toEqual({
      host: '10.0.0.1',
      port: 6379,
    });
    expect(hostPortReply('GET-MASTER-ADDR-BY-NAME', null)).toBeNull();
    expect(() => hostPortReply('GET-MASTER-ADDR-BY-NAME', ['10.0.0.1', 'x'])).toThrow(
      'not [host, port]',
    );
    expect(() => hostPortReply('GET-MASTER-ADDR-BY-NAME', 'OK')).toThrow('not [host, port]');
    expect(roleReply('ROLE', ['master', 0, []])).toBe('master');
    expect(() => roleReply('ROLE', 'OK')).toThrow('ROLE replied with a string ("OK")');
  });
});

describe('integers, strings and key names', () => {
  it('accepts the right type and names the wrong one', () => {
    expect(integerReply('CLUSTER COUNTKEYSINSLOT', 3)).toBe(3);
    expect(() => integerReply('CLUSTER COUNTKEYSINSLOT', 'OK')).toThrow(
      'CLUSTER COUNTKEYSINSLOT replied with a string ("OK"), not an integer',
    );
    expect(stringsReply('SMEMBERS', ['a', 'b'])).toEqual(['a', 'b']);
    expect(() => stringsReply('SMEMBERS', ['a', 1])).toThrow(
      'SMEMBERS replied with an integer, not a string in a list of strings',
    );
    expect(() => stringsReply('SMEMBERS', 'OK')).toThrow('not a list of strings');
    const key = Buffer.from('k');
    expect(buffersReply('CLUSTER GETKEYSINSLOT', [key])).toEqual([key]);
    expect(() => buffersReply('CLUSTER GETKEYSINSLOT', 'OK')).toThrow('not a list of key names');
    expect(() => buffersReply('CLUSTER GETKEYSINSLOT', [key, 4])).toThrow(
      'an integer, not a key name in a list of key names',
    );
  });
});

describe('reply shape properties', () => {
  const jsonish = fc.anything({ withNullPrototype: true, withBoxedValues: true });

  it('listOfPairsReply gives one record per entry, or a ReplyShapeError, never anything else', () => {
    fc.assert(
      fc.property(jsonish, (reply) => {
        try {
          const records = listOfPairsReply('SENTINEL REPLICAS', reply);
          expect(records).toHaveLength(Array.isArray(reply) ? reply.length : -1);
        } catch (err) {
          expect(err).toBeInstanceOf(ReplyShapeError);
        }
      }),
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatAddr, isLoopback, parseAddr, parseAddrList } from './address.js';

describe('parseAddr', () => {
  it('parses host:port', () => {
    expect(parseAddr('127.0.0.1:6379')).toEqual({ host: '127.0.0.1', port: 6379 });
    expect(parseAddr('redis-1.internal:26379')).toEqual({ host: 'redis-1.internal', port: 26379 });
  });

  it('parses a bracketed IPv6 host and drops the brackets', () => {
    expect(parseAddr('[::1]:6379')).toEqual({ host: '::1', port: 6379 });
    expect(parseAddr('[fe80::1%eth0]:26379')).toEqual({ host: 'fe80::1%eth0', port: 26379 });
  });

  it('rejects an unbracketed IPv6 host, which is ambiguous', () => {
    expect(parseAddr('::1:6379')).toBeNull();
  });

  it('trims surrounding whitespace but rejects whitespace inside', () => {
    expect(parseAddr('  localhost:6390\t')).toEqual({ host: 'localhost', port: 6390 });
    expect(parseAddr('localhost :6390')).toBeNull();
    expect(parseAddr('localhost: 6390')).toBeNull();
    expect(parseAddr('local host:6390')).toBeNull();
  });

  it('accepts the edge ports 1 and 65535', () => {
    expect(parseAddr('h:1')).toEqual({ host: 'h', port: 1 });
    expect(parseAddr('h:65535')).toEqual({ host: 'h', port: 65535 });
  });

  it.each(['h:0', 'h:65536', 'h:99999999', 'h:abc', 'h:-1', 'h:+80', 'h:6379.0', 'h:1e3', 'h:'])(
    'rejects the bad port in %s',
    (text) => {
      expect(parseAddr(text)).toBeNull();
    },
  );

  it.each(['', '   ', 'localhost', ':6379', '[::1]', '[::1]6379', 'a:b:6379'])(
    'rejects %j',
    (text) => {
      expect(parseAddr(text)).toBeNull();
    },
  );

  it.each(['[]:6379', '[localhost:6379', 'localhost]:6379'])(
    'rejects the malformed brackets in %j',
    (text) => {
      expect(parseAddr(text)).toBeNull();
    },
  );
});

describe('formatAddr', () => {
  it('writes host:port, bracketing IPv6 hosts', () => {
    expect(formatAddr('127.0.0.1', 6390)).toBe('127.0.0.1:6390');
    expect(formatAddr('::1', 6390)).toBe('[::1]:6390');
    expect(formatAddr('2001:db8::7', 26379)).toBe('[2001:db8::7]:26379');
  });
});

describe('parseAddrList', () => {
  it('parses a comma-separated list and normalises each entry', () => {
    expect(parseAddrList('127.0.0.1:26390, 127.0.0.1:26391 ,[::1]:26392')).toEqual({
      addrs: ['127.0.0.1:26390', '127.0.0.1:26391', '[::1]:26392'],
      invalid: null,
      tls: false,
    });
  });

  it('reads redis:// and rediss:// addresses, and says when one asked for TLS', () => {
    expect(parseAddrList('redis://a:1,b:2')).toEqual({
      addrs: ['a:1', 'b:2'],
      invalid: null,
      tls: false,
    });
    expect(parseAddrList('rediss://a:1/, rediss://[::1]:2')).toEqual({
      addrs: ['a:1', '[::1]:2'],
      invalid: null,
      tls: true,
    });
  });

  it('refuses credentials in an address: they belong in an environment variable', () => {
    expect(parseAddrList('rediss://app:secret@a:1').invalid).toBe('rediss://…@a:1');
  });

  it('skips empty entries', () => {
    expect(parseAddrList('a:1,, ,b:2,')).toEqual({
      addrs: ['a:1', 'b:2'],
      invalid: null,
      tls: false,
    });
    expect(parseAddrList('')).toEqual({ addrs: [], invalid: null, tls: false });
    expect(parseAddrList(' , ')).toEqual({ addrs: [], invalid: null, tls: false });
  });

  it('returns the first invalid entry, trimmed', () => {
    expect(parseAddrList('a:1, b:0 ,c:nope')).toEqual({
      addrs: ['a:1'],
      invalid: 'b:0',
      tls: false,
    });
    expect(parseAddrList('localhost')).toEqual({ addrs: [], invalid: 'localhost', tls: false });
  });
});

describe('isLoopback', () => {
  it('knows this machine from others', () => {
    expect(isLoopback('127.0.0.1:6379')).toBe(true);
    expect(isLoopback('127.1.2.3')).toBe(true);
    expect(isLoopback('[::1]:6379')).toBe(true);
    expect(isLoopback('localhost')).toBe(true);
    expect(isLoopback('10.0.0.5:6379')).toBe(false);
    expect(isLoopback('redis.example:6379')).toBe(false);
  });
});

describe('address properties', () => {
  const port = fc.integer({ min: 1, max: 65535 });
  const host = fc.oneof(fc.domain(), fc.ipV4(), fc.ipV6());

  it('parseAddr(formatAddr(host, port)) round-trips', () => {
    fc.assert(
      fc.property(host, port, (h, p) => {
        expect(parseAddr(formatAddr(h, p))).toEqual({ host: h, port: p });
      }),
    );
  });

  it('parseAddrList reads back a list of formatted addresses', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(host, port), { maxLength: 8 }), (pairs) => {
        const addrs = pairs.map(([h, p]) => formatAddr(h, p));
        expect(parseAddrList(addrs.join(','))).toEqual({ addrs, invalid: null, tls: false });
      }),
    );
  });

  it('parseAddr never throws and only returns valid ports', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const parsed = parseAddr(text);
        if (parsed) {
          expect(Number.isInteger(parsed.port)).toBe(true);
          expect(parsed.port).toBeGreaterThanOrEqual(1);
          expect(parsed.port).toBeLessThanOrEqual(65535);
          expect(parsed.host).not.toBe('');
        }
      }),
    );
  });

  it('parseAddr never throws on strings shaped like addresses', () => {
    const text = fc
      .tuple(
        fc.constantFrom('', ' ', '[', ']'),
        fc.string({ unit: fc.constantFrom('a', ':', '1', '[', ']', ' ', '.', '0') }),
        fc.constantFrom('', ']', ':'),
        fc.stringMatching(/^\d{0,7}$/),
      )
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(text, (t) => {
        expect(() => parseAddr(t)).not.toThrow();
      }),
    );
  });
});

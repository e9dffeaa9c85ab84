import { OPEN_ACCESS, passwordAccess } from '../redis/index.js';
import { describe, expect, it } from 'vitest';
import { namesExactly, renderHaproxy, send } from './haproxy.js';

const OPTIONS = {
  deployment: 'cache',
  masterName: 'mymaster',
  nodes: ['10.0.0.1:6379', '10.0.0.2:6379'],
  sentinels: ['10.0.0.1:26379', '10.0.0.2:26379', '10.0.0.3:26379'],
  quorum: 2,
  access: OPEN_ACCESS,
  sentinelAccess: OPEN_ACCESS,
  bind: '0.0.0.0',
  writePort: 6380,
  readPort: 6381,
  naive: false,
};

function decode(line: string): string {
  const hex = /send-binary ([0-9a-f]+)$/.exec(line)?.[1] ?? '';
  return Buffer.from(hex, 'hex').toString();
}

describe('renderHaproxy', () => {
  it('sends commands as RESP arrays in hex, so any password reaches Redis intact and cannot break a line', () => {
    const password = 'it\'s a "pw" #with\\ tab\tand\nnewline';
    const cfg = renderHaproxy({
      ...OPTIONS,
      access: passwordAccess('node', password),
      sentinelAccess: passwordAccess('sentinel', password),
    });
    const auth = cfg
      .split('\n')
      .filter((l) => l.includes('send-binary') && decode(l).includes('AUTH'));
    expect(auth.length).toBeGreaterThan(0);
    for (const line of auth)
      expect(decode(line)).toBe(
        `*2\r\n$4\r\nAUTH\r\n$${String(Buffer.byteLength(password))}\r\n${password}\r\n`,
      );
    // nothing of the password appears in clear, and no line starts with a fragment of it
    expect(cfg).not.toContain('newline');
    expect(decode(send('SENTINEL', 'get-master-addr-by-name', 'my master'))).toBe(
      '*3\r\n$8\r\nSENTINEL\r\n$23\r\nget-master-addr-by-name\r\n$9\r\nmy master\r\n',
    );
  });

  it('lets a node take writes only when a quorum of its per-sentinel checks pass', () => {
    const cfg = renderHaproxy(OPTIONS);
    expect(cfg).toContain(
      'use_backend redis_write_10_0_0_1_6379 if { nbsrv(redis_write_10_0_0_1_6379) ge 2 }',
    );
    expect(
      cfg.match(/server via_sentinel_\d 10\.0\.0\.1:6379 check addr 10\.0\.0\.\d port 26379/g),
    ).toHaveLength(3);
    expect(renderHaproxy({ ...OPTIONS, naive: true })).not.toContain('nbsrv');
  });
});

describe('namesExactly', () => {
  it('matches the sentinel naming this node, not one whose name ends the same', () => {
    const re = new RegExp(namesExactly('redis-1', 6379));
    expect(re.test('*2\r\n$7\r\nredis-1\r\n$4\r\n6379\r\n')).toBe(true);
    expect(re.test('*2\r\n$11\r\nold-redis-1\r\n$4\r\n6379\r\n')).toBe(false);
    expect(
      new RegExp(namesExactly('10.0.0.1', 6379)).test('*2\r\n$9\r\n110.0.0.1\r\n$4\r\n6379\r\n'),
    ).toBe(false);
    expect(re.test('*2\r\n$7\r\nredis-1\r\n$5\r\n16379\r\n')).toBe(false);
  });
});

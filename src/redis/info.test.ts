import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { flattenInfo, infoNumber, infoReplicas, parseInfo, parseInfoFields } from './info.js';

/** INFO from a Redis 7.0 master with two replicas, as sent on the wire. */
const MASTER_INFO = [
  '# Server',
  'redis_version:7.0.15',
  'redis_git_sha1:00000000',
  'redis_git_dirty:0',
  'redis_build_id:6a2d2b7c9c1b5a44',
  'redis_mode:standalone',
  'os:Linux 6.1.0-18-amd64 x86_64',
  'arch_bits:64',
  'monotonic_clock:POSIX clock_gettime',
  'multiplexing_api:epoll',
  'gcc_version:12.2.0',
  'process_id:41235',
  'process_supervised:no',
  'run_id:8e4a1c1a0b3f4e0c9d7a6b5c4d3e2f1a0b9c8d7e',
  'tcp_port:6390',
  'server_time_usec:1700000000123456',
  'uptime_in_seconds:1234',
  'uptime_in_days:0',
  'hz:10',
  'configured_hz:10',
  'lru_clock:11827346',
  'executable:/usr/bin/redis-server',
  'config_file:/tmp/quorum/mymaster/redis-1/redis.conf',
  'io_threads_active:0',
  '',
  '# Clients',
  'connected_clients:3',
  'cluster_connections:0',
  'maxclients:10000',
  'client_recent_max_input_buffer:20480',
  'client_recent_max_output_buffer:0',
  'blocked_clients:0',
  'tracking_clients:0',
  'clients_in_timeout_table:0',
  '',
  '# Memory',
  'used_memory:1153968',
  'used_memory_human:1.10M',
  'used_memory_rss:7340032',
  'used_memory_peak:1153968',
  'maxmemory:0',
  'maxmemory_human:0B',
  'maxmemory_policy:noeviction',
  'mem_fragmentation_ratio:6.52',
  'mem_allocator:jemalloc-5.2.1',
  '',
  '# Persistence',
  'loading:0',
  'async_loading:0',
  'rdb_changes_since_last_save:0',
  'rdb_last_save_time:1700000000',
  'aof_enabled:0',
  '',
  '# Stats',
  'total_connections_received:12',
  'total_commands_processed:523',
  'instantaneous_ops_per_sec:7',
  '',
  '# Replication',
  'role:master',
  'connected_slaves:2',
  'slave0:ip=127.0.0.1,port=6391,state=online,offset=422,lag=0',
  'slave1:ip=127.0.0.1,port=6392,state=wait_bgsave,offset=0,lag=1',
  'master_failover_state:no-failover',
  'master_replid:3c6b3f5e3d1d2f4a8b7c6d5e4f3a2b1c0d9e8f7a',
  'master_replid2:0000000000000000000000000000000000000000',
  'master_repl_offset:422',
  'second_repl_offset:-1',
  'repl_backlog_active:1',
  'repl_backlog_size:1048576',
  'repl_backlog_first_byte_offset:1',
  'repl_backlog_histlen:422',
  '',
  '# CPU',
  'used_cpu_sys:0.512345',
  'used_cpu_user:0.412345',
  '',
  '# Modules',
  '',
  '# Errorstats',
  '',
  '# Cluster',
  'cluster_enabled:0',
  '',
  '# Keyspace',
  'db0:keys=3,expires=0,avg_ttl=0',
  '',
].join('\r\n');

describe('parseInfo', () => {
  const sections = parseInfo(MASTER_INFO);

  it('splits the text into lower-case sections', () => {
    expect(Object.keys(sections)).toEqual([
      'default',
      'server',
      'clients',
      'memory',
      'persistence',
      'stats',
      'replication',
      'cpu',
      'modules',
      'errorstats',
      'cluster',
      'keyspace',
    ]);
    expect(sections.modules).toEqual({});
    expect(sections.default).toEqual({});
  });

  it('keeps each key in its section, without the carriage returns', () => {
    expect(sections.server?.redis_version).toBe('7.0.15');
    expect(sections.server?.os).toBe('Linux 6.1.0-18-amd64 x86_64');
    expect(sections.clients?.connected_clients).toBe('3');
    expect(sections.memory?.used_memory_human).toBe('1.10M');
    expect(sections.replication?.role).toBe('master');
    expect(sections.replication?.connected_slaves).toBe('2');
    expect(sections.replication?.slave0).toBe(
      'ip=127.0.0.1,port=6391,state=online,offset=422,lag=0',
    );
    expect(sections.replication?.master_repl_offset).toBe('422');
    expect(sections.keyspace?.db0).toBe('keys=3,expires=0,avg_ttl=0');
    expect(sections.server?.role).toBeUndefined();
    for (const section of Object.values(sections)) {
      for (const value of Object.values(section)) expect(value).not.toMatch(/[\r\n]/);
    }
  });

  it('splits on the first colon only, so values may contain colons', () => {
    const info = parseInfo(
      '# Replication\r\nrole:slave\r\nmaster_host:::1\r\nmaster_port:6390\r\n',
    );
    expect(info.replication).toEqual({ role: 'slave', master_host: '::1', master_port: '6390' });
  });

  it('accepts \\n line endings and skips lines without a key', () => {
    expect(parseInfo('# Server\nredis_version:7.2.4\n:orphan\nnot a field\n\n')).toEqual({
      default: {},
      server: { redis_version: '7.2.4' },
    });
  });

  it('puts lines before any header in the default section', () => {
    expect(parseInfo('loading:1\r\n').default).toEqual({ loading: '1' });
  });

  it('merges a section that appears twice', () => {
    expect(parseInfo('# Server\r\na:1\r\n# Clients\r\nb:2\r\n# server\r\nc:3').server).toEqual({
      a: '1',
      c: '3',
    });
  });

  it('returns only the empty default section for an empty reply', () => {
    expect(parseInfo('')).toEqual({ default: {} });
  });

  describe('with a section named after an Object.prototype property', () => {
    afterEach(() => {
      // should a regression write there, keep it from leaking into other tests in this worker
      Reflect.deleteProperty(Object.prototype, 'quorum_polluted');
      Reflect.deleteProperty(Object, 'quorum_polluted');
    });

    it('does not write into Object.prototype for "# __proto__"', () => {
      parseInfo('# __proto__\r\nquorum_polluted:yes\r\n');
      expect(Reflect.get({}, 'quorum_polluted')).toBeUndefined();
    });

    it('keeps "# Constructor" as an ordinary section', () => {
      const info = parseInfo('# Constructor\r\nquorum_polluted:yes\r\n');
      expect(Reflect.get(Object, 'quorum_polluted')).toBeUndefined();
      expect(info.constructor).toEqual({ quorum_polluted: 'yes' });
    });
  });
});

describe('flattenInfo', () => {
  it('merges every section into one map', () => {
    const info = flattenInfo(parseInfo(MASTER_INFO));
    expect(info.redis_version).toBe('7.0.15');
    expect(info.role).toBe('master');
    expect(info.used_memory).toBe('1153968');
    expect(info.db0).toBe('keys=3,expires=0,avg_ttl=0');
    expect(info.cluster_enabled).toBe('0');
  });

  it('returns an empty map for no sections', () => {
    expect(flattenInfo({})).toEqual({});
  });
});

describe('parseInfoFields', () => {
  it('parses a keyspace line', () => {
    expect(parseInfoFields('keys=3,expires=0,avg_ttl=0')).toEqual({
      keys: '3',
      expires: '0',
      avg_ttl: '0',
    });
  });

  it('parses a replica line', () => {
    expect(parseInfoFields('ip=127.0.0.1,port=6391,state=online,offset=422,lag=0')).toEqual({
      ip: '127.0.0.1',
      port: '6391',
      state: 'online',
      offset: '422',
      lag: '0',
    });
  });

  it('keeps = signs after the first in a value and skips parts without a key', () => {
    expect(parseInfoFields('a=b=c,=x,novalue,d=')).toEqual({ a: 'b=c', d: '' });
  });
});

describe('infoNumber', () => {
  const info = flattenInfo(parseInfo(MASTER_INFO));

  it('reads integers, negatives and decimals', () => {
    expect(infoNumber(info, 'master_repl_offset')).toBe(422);
    expect(infoNumber(info, 'second_repl_offset')).toBe(-1);
    expect(infoNumber(info, 'mem_fragmentation_ratio')).toBe(6.52);
  });

  it('returns null for a missing, empty or non-numeric value', () => {
    expect(infoNumber(info, 'no_such_key')).toBeNull();
    expect(infoNumber({ x: '' }, 'x')).toBeNull();
    expect(infoNumber({ x: '  ' }, 'x')).toBeNull();
    expect(infoNumber(info, 'used_memory_human')).toBeNull();
    expect(infoNumber(info, 'maxmemory_policy')).toBeNull();
    expect(infoNumber({ x: 'Infinity' }, 'x')).toBeNull();
  });
});

describe('infoReplicas', () => {
  it("lists the replicas of a master's INFO", () => {
    expect(infoReplicas(flattenInfo(parseInfo(MASTER_INFO)))).toEqual([
      { ip: '127.0.0.1', port: 6391, state: 'online', offset: 422, lag: 0 },
      { ip: '127.0.0.1', port: 6392, state: 'wait_bgsave', offset: 0, lag: 1 },
    ]);
  });

  it('ignores slave_* fields of a replica', () => {
    const info = { slave_repl_offset: '408', slave_priority: '100', slave_read_only: '1' };
    expect(infoReplicas(info)).toEqual([]);
  });

  it('fills missing fields with null and an unknown state', () => {
    expect(infoReplicas({ slave0: 'ip=::1,port=6391' })).toEqual([
      { ip: '::1', port: 6391, state: 'unknown', offset: null, lag: null },
    ]);
  });

  it('skips entries without an ip or a numeric port', () => {
    expect(
      infoReplicas({
        slave0: 'port=6391,state=online',
        slave1: 'ip=127.0.0.1,port=abc,state=online',
        slave2: 'ip=127.0.0.1,state=online',
      }),
    ).toEqual([]);
  });
});

describe('INFO parsing properties', () => {
  const infoish = fc.oneof(
    fc.string(),
    fc.string({ unit: fc.constantFrom('#', ':', '=', ',', '\r', '\n', ' ', 'a', '1', '_') }),
  );

  it('parseInfo never throws and always returns string values', () => {
    fc.assert(
      fc.property(infoish, (text) => {
        const sections = parseInfo(text);
        const values = Object.values(sections).flatMap((section) => Object.values(section));
        expect(sections.default).toBeDefined();
        expect(values.every((value) => typeof value === 'string')).toBe(true);
      }),
    );
  });

  it('parseInfo never throws on INFO-shaped text', () => {
    const line = fc.oneof(
      fc.string().map((s) => `# ${s}`),
      fc.tuple(fc.string(), fc.string()).map(([k, v]) => `${k}:${v}`),
      fc.string(),
    );
    fc.assert(
      fc.property(
        fc.array(line, { maxLength: 30 }),
        fc.constantFrom('\r\n', '\n'),
        (lines, eol) => {
          const info = flattenInfo(parseInfo(lines.join(eol)));
          expect(() => infoReplicas(info)).not.toThrow();
          for (const key of Object.keys(info)) {
            const n = infoNumber(info, key);
            expect(n === null || Number.isFinite(n)).toBe(true);
          }
        },
      ),
    );
  });

  it('parseInfo reads back the fields it is given', () => {
    const key = fc.stringMatching(/^[a-z][a-z0-9_]{0,20}$/);
    const value = fc.stringMatching(/^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/);
    fc.assert(
      fc.property(fc.dictionary(key, value, { maxKeys: 20 }), (fields) => {
        const text = ['# Stats', ...Object.entries(fields).map(([k, v]) => `${k}:${v}`)].join(
          '\r\n',
        );
        expect(parseInfo(text).stats).toEqual(fields);
      }),
    );
  });
});

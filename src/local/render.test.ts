import { describe, expect, it } from 'vitest';
import { renderNodeAcl, renderRedisConf, renderSentinelConf } from './render.js';
import type { LocalSpec, PlannedProcess } from './spec.js';
import { defaultSpec, planProcesses } from './spec.js';

const DIR = '/tmp/quorum/mymaster/redis-1';

function processNamed(spec: LocalSpec, name: string): PlannedProcess {
  const proc = planProcesses(spec).find((p) => p.name === name);
  if (!proc) throw new Error(`no process ${name}`);
  return proc;
}

/** The non-comment directives of a config file. */
function directives(conf: string): string[] {
  return conf.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
}

describe('renderRedisConf', () => {
  const spec = defaultSpec();

  it('renders the master without replicaof', () => {
    const conf = renderRedisConf(spec, processNamed(spec, 'redis-1'), DIR);
    expect(directives(conf)).toEqual([
      'bind 127.0.0.1',
      'port 6390',
      'daemonize no',
      `dir "${DIR}"`,
      'logfile "redis.log"',
      'proc-title-template "{title} {listen-addr} {server-mode} {config-file}"',
      'dbfilename "dump.rdb"',
      'replica-serve-stale-data yes',
      'replica-read-only yes',
      'repl-diskless-sync yes',
      'repl-diskless-sync-delay 0',
      'save 3600 1 300 100 60 10000',
      'appendonly no',
      'enable-debug-command local',
    ]);
    expect(conf).toMatch(/^# redis-1: rendered by quorum for the deployment 'mymaster'\./);
    expect(conf.endsWith('\n')).toBe(true);
  });

  it('makes replicas replicas of the first node', () => {
    for (const name of ['redis-2', 'redis-3']) {
      const proc = processNamed(spec, name);
      const lines = directives(renderRedisConf(spec, proc, DIR));
      expect(lines).toContain(`port ${proc.port}`);
      expect(lines.filter((l) => l.startsWith('replicaof'))).toEqual(['replicaof 127.0.0.1 6390']);
    }
  });

  it('writes no password lines without a password', () => {
    const conf = renderRedisConf(spec, processNamed(spec, 'redis-2'), DIR);
    expect(conf).not.toMatch(/requirepass|masterauth/);
  });

  it('writes requirepass and masterauth with a password', () => {
    const withPassword = defaultSpec({ password: 's3cret' });
    for (const name of ['redis-1', 'redis-2']) {
      const lines = directives(
        renderRedisConf(withPassword, processNamed(withPassword, name), DIR),
      );
      expect(lines).toContain('requirepass "s3cret"');
      expect(lines).toContain('masterauth "s3cret"');
    }
  });

  it('binds the spec host and uses the planned port', () => {
    const custom = defaultSpec({ host: '::1', port: 7000 });
    const lines = directives(renderRedisConf(custom, processNamed(custom, 'redis-2'), DIR));
    expect(lines).toContain('bind ::1');
    expect(lines).toContain('port 7001');
    expect(lines).toContain('replicaof ::1 7000');
  });
});

describe('renderSentinelConf', () => {
  const spec = defaultSpec();

  it('monitors the master with the quorum, down-after and failover-timeout', () => {
    const conf = renderSentinelConf(spec, processNamed(spec, 'sentinel-2'), DIR);
    expect(directives(conf)).toEqual([
      'bind 127.0.0.1',
      'port 26391',
      'daemonize no',
      `dir "${DIR}"`,
      'logfile "sentinel.log"',
      'proc-title-template "{title} {listen-addr} {server-mode} {config-file}"',
      'sentinel monitor mymaster 127.0.0.1 6390 2',
      'sentinel down-after-milliseconds mymaster 5000',
      'sentinel failover-timeout mymaster 10000',
      'sentinel parallel-syncs mymaster 1',
    ]);
    expect(conf).toMatch(/^# sentinel-2: rendered by quorum/);
  });

  it('follows the spec name, master port, quorum and timings', () => {
    const custom = defaultSpec({
      name: 'cache',
      port: 7000,
      sentinels: 5,
      quorum: 4,
      downAfterMs: 1500,
      failoverTimeoutMs: 9000,
    });
    const lines = directives(renderSentinelConf(custom, processNamed(custom, 'sentinel-5'), DIR));
    expect(lines).toContain('port 27004');
    expect(lines).toContain('sentinel monitor cache 127.0.0.1 7000 4');
    expect(lines).toContain('sentinel down-after-milliseconds cache 1500');
    expect(lines).toContain('sentinel failover-timeout cache 9000');
  });

  it('writes no password lines without a password', () => {
    expect(renderSentinelConf(spec, processNamed(spec, 'sentinel-1'), DIR)).not.toMatch(
      /auth-pass|requirepass|sentinel-pass/,
    );
  });

  it('writes auth-pass, requirepass and sentinel-pass with a password', () => {
    const withPassword = defaultSpec({ password: 's3cret' });
    const lines = directives(
      renderSentinelConf(withPassword, processNamed(withPassword, 'sentinel-1'), DIR),
    );
    expect(lines).toContain('sentinel auth-pass mymaster "s3cret"');
    expect(lines).toContain('requirepass "s3cret"');
    expect(lines).toContain('sentinel sentinel-pass "s3cret"');
  });
});

describe('the safe preset', () => {
  it('bounds an isolated master, turns AOF on and waits for replicas on shutdown', () => {
    const safe = defaultSpec({ preset: 'safe' });
    const master = directives(renderRedisConf(safe, processNamed(safe, 'redis-1'), '/d'));
    expect(master).toEqual(
      expect.arrayContaining([
        'min-replicas-to-write 1',
        'min-replicas-max-lag 10',
        'appendonly yes',
        'appendfsync everysec',
        'shutdown-timeout 10',
      ]),
    );
    expect(master).not.toContain('appendonly no');
    const plain = directives(
      renderRedisConf(defaultSpec(), processNamed(defaultSpec(), 'redis-1'), '/d'),
    );
    expect(plain.some((d) => d.startsWith('min-replicas-to-write'))).toBe(false);
  });
});

describe('the lab network', () => {
  const spec = defaultSpec({ network: 'lab', lab: { tag: 'abc123', subnet: '198.18.7.0/24' } });
  const plan = planProcesses(spec);

  it('binds each process to its own address and announces it; replicas follow the first node there', () => {
    const replica = renderRedisConf(spec, plan[1] as PlannedProcess, '/d');
    expect(replica).toContain('bind 198.18.7.11\n');
    expect(replica).toContain('replicaof 198.18.7.10 6390\n');
    expect(replica).toContain('replica-announce-ip 198.18.7.11\n');
    expect(replica).toContain('protected-mode no\n');
    const sentinel = renderSentinelConf(spec, plan[4] as PlannedProcess, '/d');
    expect(sentinel).toContain('bind 198.18.7.51\n');
    expect(sentinel).toContain('sentinel monitor mymaster 198.18.7.10 6390 2\n');
    expect(sentinel).toContain('sentinel announce-ip 198.18.7.51\n');
  });

  it('adds nothing of the lab on loopback', () => {
    const loopback = renderRedisConf(
      defaultSpec(),
      planProcesses(defaultSpec())[1] as PlannedProcess,
      '/d',
    );
    expect(loopback).not.toContain('announce');
    expect(loopback).not.toContain('protected-mode');
  });
});

describe('up --tls and up --acl', () => {
  const acl = {
    passwords: { quorum: 'pq', sentinel: 'ps', replica: 'pr', backup: 'pb', app: 'pa' },
  };

  it('listens on TLS only, replicates and (cluster) gossips over TLS', () => {
    const spec = defaultSpec({ tls: { authClients: 'optional' } });
    const conf = directives(renderRedisConf(spec, processNamed(spec, 'redis-2'), DIR));
    expect(conf).toEqual(
      expect.arrayContaining([
        'port 0',
        'tls-port 6391',
        'tls-cert-file "/tmp/quorum/mymaster/tls/redis-2.crt"',
        'tls-key-file "/tmp/quorum/mymaster/tls/redis-2.key"',
        'tls-ca-cert-file "/tmp/quorum/mymaster/tls/ca.crt"',
        'tls-auth-clients optional',
        'tls-replication yes',
      ]),
    );
    expect(conf).not.toContain('port 6391');
    const cluster = defaultSpec({ mode: 'cluster', tls: { authClients: 'yes' } });
    expect(directives(renderRedisConf(cluster, processNamed(cluster, 'redis-1'), DIR))).toContain(
      'tls-cluster yes',
    );
    // a sentinel reaches the nodes over TLS only with tls-replication (redis#7068)
    const sentinel = directives(renderSentinelConf(spec, processNamed(spec, 'sentinel-1'), DIR));
    expect(sentinel).toEqual(expect.arrayContaining(['port 0', 'tls-replication yes']));
  });

  it('points the nodes at their ACL file, and replicas and sentinels at their own users', () => {
    const spec = defaultSpec({ acl, password: null });
    const conf = directives(renderRedisConf(spec, processNamed(spec, 'redis-2'), DIR));
    expect(conf).toEqual(
      expect.arrayContaining([
        `aclfile "${DIR}/users.acl"`,
        'masteruser replica',
        'masterauth "pr"',
      ]),
    );
    expect(conf.some((l) => l.startsWith('requirepass'))).toBe(false);
    const sentinel = directives(renderSentinelConf(spec, processNamed(spec, 'sentinel-1'), DIR));
    expect(sentinel).toEqual(
      expect.arrayContaining([
        'sentinel auth-user mymaster sentinel',
        'sentinel auth-pass mymaster "ps"',
        'sentinel sentinel-user sentinel',
        'sentinel sentinel-pass "ps"',
        'user default off',
        'user quorum on >pq ~* &* +@all',
      ]),
    );
    // replicas and backups never talk to the sentinels: no user there
    expect(sentinel.some((l) => l.startsWith('user replica') || l.startsWith('user backup'))).toBe(
      false,
    );
  });

  it('writes every user of the table into users.acl, the default one off', () => {
    const text = renderNodeAcl(acl);
    expect(text.split('\n')[0]).toBe('user default off');
    expect(text).toContain(
      'user sentinel on >ps allchannels +multi +slaveof +ping +exec +subscribe +config|rewrite +role +publish +info +client|setname +client|kill +script|kill',
    );
    expect(text).toContain('user replica on >pr +psync +replconf +ping');
    expect(text).toContain('user app on >pa ~* &* +@all -@dangerous +role +info');
  });
});

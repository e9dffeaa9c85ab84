import { describe, expect, it } from 'vitest';
import { clientMembers, overlaps, pickSubnet } from './lab.js';
import type { LocalSpec } from './spec.js';
import {
  DEFAULT_PORT,
  defaultSpec,
  describeSpec,
  planProcesses,
  SENTINEL_PORT_OFFSET,
} from './spec.js';
import { specProblems } from './spec-problems.js';

describe('defaultSpec', () => {
  it('describes 1 master, 2 replicas and 3 sentinels on loopback', () => {
    expect(defaultSpec()).toEqual({
      name: 'mymaster',
      host: '127.0.0.1',
      port: 6390,
      sentinelPort: 26390,
      replicas: 2,
      sentinels: 3,
      quorum: 2,
      downAfterMs: 5000,
      failoverTimeoutMs: 10000,
      password: null,
      autorestart: false,
      preset: 'default',
      proxyPort: 6393,
      network: 'loopback',
      lab: null,
      tls: null,
      acl: null,
      mode: 'sentinel',
    } satisfies LocalSpec);
    expect(DEFAULT_PORT).toBe(6390);
    expect(SENTINEL_PORT_OFFSET).toBe(20000);
  });

  it.each([
    [1, 1],
    [2, 2],
    [3, 2],
    [4, 3],
    [5, 3],
    [9, 5],
  ])('defaults the quorum of %i sentinels to a majority, %i', (sentinels, quorum) => {
    expect(defaultSpec({ sentinels }).quorum).toBe(quorum);
  });

  it('puts the proxy right after the data ports, or nowhere, and refuses one that overlaps', () => {
    expect(defaultSpec({ port: 7000, replicas: 4 }).proxyPort).toBe(7005);
    expect(defaultSpec({ proxyPort: null }).proxyPort).toBeNull();
    expect(specProblems(defaultSpec({ proxyPort: 6391 }))[0]).toContain(
      'the proxy ports 6391-6392 overlap the data ports 6390-6392',
    );
    expect(specProblems(defaultSpec({ proxyPort: 26389 }))).toEqual([
      'the proxy ports 26389-26390 overlap the sentinel ports 26390-26392; pick another --proxy-port (or --no-proxy)',
    ]);
    expect(specProblems(defaultSpec())).toEqual([]);
  });

  it('keeps an explicit quorum', () => {
    expect(defaultSpec({ sentinels: 5, quorum: 2 }).quorum).toBe(2);
  });

  it('puts the sentinels 20000 above the data port', () => {
    expect(defaultSpec({ port: 7000 }).sentinelPort).toBe(27000);
  });

  it('keeps an explicit sentinel port', () => {
    expect(defaultSpec({ port: 7000, sentinelPort: 7100 }).sentinelPort).toBe(7100);
  });

  it('keeps other overrides', () => {
    const spec = defaultSpec({
      name: 'cache',
      replicas: 0,
      password: 'hunter2',
      autorestart: true,
    });
    expect(spec).toMatchObject({
      name: 'cache',
      replicas: 0,
      password: 'hunter2',
      autorestart: true,
    });
  });

  it('treats an explicitly undefined override as unset', () => {
    expect(defaultSpec({ port: undefined, quorum: undefined })).toMatchObject({
      port: 6390,
      sentinelPort: 26390,
      quorum: 2,
    });
  });
});

describe('specProblems', () => {
  it('finds nothing wrong with the default spec', () => {
    expect(specProblems(defaultSpec())).toEqual([]);
  });

  it('rejects a quorum above the number of sentinels, naming both and suggesting a majority', () => {
    expect(specProblems(defaultSpec({ sentinels: 3, quorum: 4 }))).toEqual([
      '--quorum 4 is larger than --sentinels 3, so no failover could ever start; use --quorum 2',
    ]);
    const [problem] = specProblems(defaultSpec({ sentinels: 5, quorum: 7 }));
    expect(problem).toContain('--quorum 7');
    expect(problem).toContain('--sentinels 5');
    expect(problem).toMatch(/use --quorum 3$/);
  });

  it.each([0, -1, 1.5])('rejects the quorum %s', (quorum) => {
    expect(specProblems(defaultSpec({ quorum }))).toEqual([
      `--quorum ${quorum} must be at least 1`,
    ]);
  });

  it.each([
    ['replicas', { replicas: -1 }, '--replicas -1 is out of range; use 0 to 16'],
    ['replicas', { replicas: 17 }, '--replicas 17 is out of range; use 0 to 16'],
    ['replicas', { replicas: 1.5 }, '--replicas 1.5 is out of range; use 0 to 16'],
    ['sentinels', { sentinels: 10, quorum: 2 }, '--sentinels 10 is out of range; use 1 to 9'],
    ['down-after', { downAfterMs: 99 }, '--down-after 99 is too short; use at least 100 ms'],
    [
      'failover-timeout',
      { failoverTimeoutMs: 999 },
      '--failover-timeout 999 is too short; use at least 1000 ms',
    ],
  ] satisfies [string, Partial<LocalSpec>, string][])(
    'rejects an out-of-range %s',
    (_what, overrides, message) => {
      expect(specProblems(defaultSpec(overrides))).toEqual([message]);
    },
  );

  it('rejects zero sentinels', () => {
    expect(specProblems(defaultSpec({ sentinels: 0, quorum: 1 }))).toContain(
      '--sentinels 0 is out of range; use 1 to 9',
    );
  });

  it('accepts the edges of each range', () => {
    expect(specProblems(defaultSpec({ replicas: 0 }))).toEqual([]);
    expect(specProblems(defaultSpec({ replicas: 16 }))).toEqual([]);
    expect(specProblems(defaultSpec({ sentinels: 1 }))).toEqual([]);
    expect(specProblems(defaultSpec({ sentinels: 9 }))).toEqual([]);
    expect(specProblems(defaultSpec({ downAfterMs: 100, failoverTimeoutMs: 1000 }))).toEqual([]);
  });

  it.each(['my master', '', 'a/b', 'x'.repeat(65)])('rejects the master name %j', (name) => {
    expect(specProblems(defaultSpec({ name }))).toEqual([
      `--name '${name}' is not a valid master name; use letters, digits, '.', '_' or '-'`,
    ]);
  });

  it('rejects a privileged data port', () => {
    expect(specProblems(defaultSpec({ port: 1023, sentinelPort: 30000 }))).toEqual([
      '--port 1023 leaves no room for 3 data nodes; use a port from 1024 to 65533',
    ]);
  });

  it('rejects data ports that run past 65535', () => {
    expect(specProblems(defaultSpec({ port: 65534, sentinelPort: 30000 }))).toEqual([
      '--port 65534 leaves no room for 3 data nodes; use a port from 1024 to 65533',
    ]);
    // the data nodes fit; the proxy after them does not
    expect(specProblems(defaultSpec({ port: 65533, sentinelPort: 30000 }))).toEqual([
      'the proxy ports 65536-65537 are out of range; pass --proxy-port with a port from 1024 to 65534 (or --no-proxy)',
    ]);
    expect(
      specProblems(defaultSpec({ port: 65533, sentinelPort: 30000, proxyPort: null })),
    ).toEqual([]);
  });

  it('rejects sentinel ports that run past 65535, suggesting --sentinel-port', () => {
    expect(specProblems(defaultSpec({ port: 50000 }))).toEqual([
      'sentinel port 70000 is out of range; pass --sentinel-port with a port from 1024 to 65533',
    ]);
    expect(specProblems(defaultSpec({ sentinelPort: 65533 }))).toEqual([]);
  });

  it('rejects sentinel ports overlapping the data ports', () => {
    expect(specProblems(defaultSpec({ port: 7000, sentinelPort: 7002 }))).toEqual([
      'the sentinel ports 7002-7004 overlap the data ports 7000-7002; pick another --sentinel-port',
    ]);
    expect(specProblems(defaultSpec({ port: 7002, sentinelPort: 7000 }))).toHaveLength(1);
  });

  it('accepts sentinel ports right next to the data ports, moving the proxy past them', () => {
    expect(specProblems(defaultSpec({ port: 7000, sentinelPort: 7003 }))).toEqual([]);
    expect(defaultSpec({ port: 7000, sentinelPort: 7003 }).proxyPort).toBe(7006);
    expect(specProblems(defaultSpec({ port: 7003, sentinelPort: 7000 }))).toEqual([]);
  });

  it.each(['', 'two words', 'tab\there', 'say "hi"', 'line\nbreak'])(
    'rejects the password %j',
    (password) => {
      expect(specProblems(defaultSpec({ password }))).toEqual([
        '--password must be non-empty and contain no spaces, double quotes or backslashes',
      ]);
    },
  );

  it("accepts a password with other punctuation, including '", () => {
    expect(specProblems(defaultSpec({ password: "s3cr3t!#$%&'()*+,-./:;<=>?@[]^_`{|}~" }))).toEqual(
      [],
    );
  });

  it('rejects a password with a backslash, which redis.conf would read as an escape', () => {
    expect(specProblems(defaultSpec({ password: 'pa\\x41ss' }))).not.toEqual([]);
  });

  it('reports several problems at once', () => {
    expect(specProblems(defaultSpec({ replicas: 20, downAfterMs: 10, password: '' }))).toHaveLength(
      3,
    );
  });
});

const L = '127.0.0.1';

describe('planProcesses', () => {
  it('plans redis-1.. then sentinel-1.. on consecutive ports', () => {
    expect(planProcesses(defaultSpec())).toEqual([
      {
        name: 'redis-1',
        kind: 'redis',
        port: 6390,
        host: L,
        netns: null,
        initialRole: 'master',
        replicaOf: null,
      },
      {
        name: 'redis-2',
        kind: 'redis',
        port: 6391,
        host: L,
        netns: null,
        initialRole: 'replica',
        replicaOf: null,
      },
      {
        name: 'redis-3',
        kind: 'redis',
        port: 6392,
        host: L,
        netns: null,
        initialRole: 'replica',
        replicaOf: null,
      },
      {
        name: 'sentinel-1',
        kind: 'sentinel',
        port: 26390,
        host: L,
        netns: null,
        initialRole: null,
        replicaOf: null,
      },
      {
        name: 'sentinel-2',
        kind: 'sentinel',
        port: 26391,
        host: L,
        netns: null,
        initialRole: null,
        replicaOf: null,
      },
      {
        name: 'sentinel-3',
        kind: 'sentinel',
        port: 26392,
        host: L,
        netns: null,
        initialRole: null,
        replicaOf: null,
      },
    ]);
  });

  it('plans a lone master with one sentinel', () => {
    expect(
      planProcesses(defaultSpec({ replicas: 0, sentinels: 1, port: 7000, sentinelPort: 8000 })),
    ).toEqual([
      {
        name: 'redis-1',
        kind: 'redis',
        port: 7000,
        host: L,
        netns: null,
        initialRole: 'master',
        replicaOf: null,
      },
      {
        name: 'sentinel-1',
        kind: 'sentinel',
        port: 8000,
        host: L,
        netns: null,
        initialRole: null,
        replicaOf: null,
      },
    ]);
  });

  it('plans replicas + 1 data nodes and one process per sentinel, on distinct ports', () => {
    const plan = planProcesses(defaultSpec({ replicas: 16, sentinels: 9 }));
    expect(plan.filter((p) => p.kind === 'redis')).toHaveLength(17);
    expect(plan.filter((p) => p.kind === 'sentinel')).toHaveLength(9);
    expect(plan.filter((p) => p.initialRole === 'master')).toHaveLength(1);
    expect(new Set(plan.map((p) => p.port)).size).toBe(plan.length);
    expect(new Set(plan.map((p) => p.name)).size).toBe(plan.length);
    expect(plan.at(-1)).toEqual({
      name: 'sentinel-9',
      kind: 'sentinel',
      port: 26398,
      host: L,
      netns: null,
      initialRole: null,
      replicaOf: null,
    });
  });

  it('gives each process of a lab its own address and namespace, the clients theirs', () => {
    const lab = { tag: 'abc123', subnet: '198.18.7.0/24' };
    const plan = planProcesses(defaultSpec({ network: 'lab', lab }));
    expect(plan.map((p) => `${p.name} ${p.host} ${p.netns ?? ''}`)).toEqual([
      'redis-1 198.18.7.10 quorum-abc123-redis-1',
      'redis-2 198.18.7.11 quorum-abc123-redis-2',
      'redis-3 198.18.7.12 quorum-abc123-redis-3',
      'sentinel-1 198.18.7.50 quorum-abc123-sentinel-1',
      'sentinel-2 198.18.7.51 quorum-abc123-sentinel-2',
      'sentinel-3 198.18.7.52 quorum-abc123-sentinel-3',
    ]);
    expect(clientMembers(lab).map((c) => `${c.name} ${c.addr}`)).toEqual([
      'client-1 198.18.7.90',
      'client-2 198.18.7.91',
    ]);
  });
});

describe('the lab subnet', () => {
  it('tells overlapping prefixes apart', () => {
    expect(overlaps('198.18.7.0/24', '198.18.0.0/15')).toBe(true);
    expect(overlaps('198.18.7.0/24', '198.18.8.0/24')).toBe(false);
    expect(overlaps('198.18.7.0/24', '198.18.7.99/32')).toBe(true);
    expect(overlaps('198.18.7.0/24', '0.0.0.0/0')).toBe(true);
  });

  it('picks a /24 of 198.18.0.0/15 that no host prefix overlaps, the same one for the same tag', () => {
    const tag = '0007aa';
    expect(pickSubnet(tag, ['10.0.0.0/8'])).toBe('198.18.7.0/24');
    expect(pickSubnet(tag, ['198.18.7.0/25', '198.18.8.1/32'])).toBe('198.18.9.0/24');
    expect(pickSubnet(tag, ['198.18.0.0/15'])).toBeNull();
  });
});

describe('cluster specs', () => {
  it('plans masters first, then one replica per master in turn, on ports from 7000', () => {
    const spec = defaultSpec({ mode: 'cluster' });
    expect(specProblems(spec)).toEqual([]);
    const plan = planProcesses(spec);
    expect(plan.map((p) => [p.name, p.port, p.initialRole, p.replicaOf])).toEqual([
      ['redis-1', 7000, 'master', null],
      ['redis-2', 7001, 'master', null],
      ['redis-3', 7002, 'master', null],
      ['redis-4', 7003, 'replica', 'redis-1'],
      ['redis-5', 7004, 'replica', 'redis-2'],
      ['redis-6', 7005, 'replica', 'redis-3'],
    ]);
    // a cluster runs no proxy and no sentinels: its spec has no such fields at all
    expect(spec).not.toHaveProperty('proxyPort');
    expect(spec).not.toHaveProperty('sentinels');
    expect(spec).not.toHaveProperty('quorum');
  });

  it('refuses fewer than 3 masters and bus ports past 65535, saying why', () => {
    expect(specProblems(defaultSpec({ mode: 'cluster', masters: 2 }))[0]).toContain(
      'a cluster needs at least 3 masters',
    );
    expect(specProblems(defaultSpec({ mode: 'cluster', port: 60000 }))[0]).toContain(
      'leaves no room for 6 nodes and their bus ports',
    );
  });
});

describe('describeSpec', () => {
  it('describes a Sentinel deployment by its master, replicas, sentinels and quorum', () => {
    expect(describeSpec(defaultSpec())).toBe('1 master, 2 replicas, 3 sentinels (quorum 2)');
  });

  it('describes a cluster by its masters, replicas per master and node timeout', () => {
    expect(describeSpec(defaultSpec({ mode: 'cluster' }))).toBe(
      '3 masters, 3 replicas (1 per master), node-timeout 5000 ms',
    );
    expect(describeSpec(defaultSpec({ mode: 'cluster', masters: 4, replicasPerMaster: 2 }))).toBe(
      '4 masters, 8 replicas (2 per master), node-timeout 5000 ms',
    );
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config-file.js';

function file(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'quorum-config-')), 'quorum.yaml');
  writeFileSync(path, text);
  return path;
}

describe('loadConfig', () => {
  it('reads deployments, with passwords from the named environment variables', () => {
    const path = file(
      'deployments:\n  - name: cache\n    masterName: mymaster\n    sentinels: [10.0.0.5:26379, "[::1]:26380"]\n    passwordEnv: PW\n  - name: queue\n    sentinels: [q:26379]\n    passwordEnv: PW\n    sentinelPasswordEnv: SPW\n',
    );
    expect(loadConfig(path, { PW: 'p', SPW: 's' }).deployments).toEqual([
      {
        name: 'cache',
        masterName: 'mymaster',
        sentinels: ['10.0.0.5:26379', '[::1]:26380'],
        nodes: [],
        access: { of: 'node', user: null, password: 'p', tls: null },
        sentinelAccess: { of: 'sentinel', user: null, password: 'p', tls: null },
        kind: 'sentinel',
      },
      {
        name: 'queue',
        masterName: 'queue',
        sentinels: ['q:26379'],
        nodes: [],
        access: { of: 'node', user: null, password: 'p', tls: null },
        sentinelAccess: { of: 'sentinel', user: null, password: 's', tls: null },
        kind: 'sentinel',
      },
    ]);
  });

  it.each([
    ['deployments: []\n', /deployments must list at least one deployment/],
    [
      'deployments:\n  - name: a\n    sentinels: [x]\n',
      /deployments\[0\]\.sentinels\[0\] must be host:port/,
    ],
    [
      'deployments:\n  - name: a b\n    sentinels: [x:1]\n',
      /deployments\[0\]\.name must be letters/,
    ],
    ['deployments:\n  - name: a\n    sentinels: [x:1]\n    password: plain\n', /deployments\[0\]/],
    [
      'deployments:\n  - name: a\n    sentinels: [x:1]\n  - name: a\n    sentinels: [y:1]\n',
      /deployments\[1\]\.name 'a' is used twice/,
    ],
    ['deployments: [\n', /is not valid YAML/],
  ])('refuses %j with one sentence naming the field', (text, pattern) => {
    expect(() => loadConfig(file(text), {})).toThrow(pattern);
  });

  it('reads the alerts section: thresholds, rule changes and notifiers with their defaults', () => {
    const path = file(
      [
        'alerts:',
        '  lagBytes: 1048576',
        '  rules:',
        '    RedisReplicationLagHigh: { for: 2m }',
        '    SentinelTilt: { disabled: true }',
        '  notifiers:',
        '    - { name: ops, type: webhook, url: "http://127.0.0.1:9/hook", timeout: 2s }',
        '    - { name: chat, type: slack, url: "https://hooks.example.com/x", retries: 0 }',
        '',
      ].join('\n'),
    );
    const { deployments, alerts } = loadConfig(path, {}, { requireDeployments: false });
    expect(deployments).toEqual([]);
    expect(alerts).toEqual({
      settings: {
        lagBytes: 1048576,
        memoryRatio: 0.9,
        rules: { RedisReplicationLagHigh: { forMs: 120_000 }, SentinelTilt: { disabled: true } },
      },
      notifiers: [
        {
          name: 'ops',
          type: 'webhook',
          url: 'http://127.0.0.1:9/hook',
          timeoutMs: 2000,
          retries: 3,
        },
        {
          name: 'chat',
          type: 'slack',
          url: 'https://hooks.example.com/x',
          timeoutMs: 5000,
          retries: 0,
        },
      ],
    });
    expect(() => loadConfig(path, {})).toThrow('deployments must list at least one deployment');
  });

  it.each([
    [
      'alerts:\n  notifiers:\n    - name: ops\n      type: webhook\n      url: ftp://x\n',
      /quorum\.yaml:5: alerts\.notifiers\[0\]\.url must be an http/,
    ],
    [
      'alerts:\n  rules:\n    NoSuchRule: { for: 1m }\n',
      /quorum\.yaml:3: alerts\.rules\.NoSuchRule must name a rule \(RedisNodeDown, /,
    ],
    [
      'alerts:\n  rules:\n    SentinelTilt:\n      for: soon\n',
      /quorum\.yaml:4: alerts\.rules\.SentinelTilt\.for must be a duration/,
    ],
    [
      'alerts:\n  notifiers:\n    - name: ops\n      type: email\n      url: http://x\n',
      /quorum\.yaml:4: alerts\.notifiers\[0\]\.type /,
    ],
    [
      'alerts:\n  lagBytes: 1\n  webhook: http://x\n',
      /quorum\.yaml:3: alerts\.webhook is not a known field/,
    ],
  ])('refuses a bad alerts section %j naming the field and its line', (text, pattern) => {
    expect(() => loadConfig(file(text), {}, { requireDeployments: false })).toThrow(pattern);
  });

  it('names a password variable that is not set', () => {
    expect(() =>
      loadConfig(
        file('deployments:\n  - name: a\n    sentinels: [x:1]\n    passwordEnv: NOPE\n'),
        {},
      ),
    ).toThrow('deployments[0].passwordEnv names NOPE, which is not set in the environment');
  });

  it('says a missing file does not exist and shows an example', () => {
    expect(() => loadConfig('/nonexistent/quorum.yaml')).toThrow(
      /does not exist; write one like:\ndeployments:/,
    );
  });
});

describe('loadConfig with clusters', () => {
  it('reads a cluster by its seed nodes, and refuses an entry with both or neither', () => {
    const dir = mkdtempSync(join(tmpdir(), 'quorum-config-'));
    const path = join(dir, 'quorum.yaml');
    writeFileSync(
      path,
      'deployments:\n  - name: shop\n    cluster: [127.0.0.1:7000, 127.0.0.1:7001]\n',
    );
    expect(loadConfig(path, {}).deployments).toEqual([
      {
        kind: 'cluster',
        name: 'shop',
        nodes: ['127.0.0.1:7000', '127.0.0.1:7001'],
        access: { of: 'node', user: null, password: null, tls: null },
      },
    ]);
    writeFileSync(path, 'deployments:\n  - name: shop\n    passwordEnv: PW\n');
    expect(() => loadConfig(path, {})).toThrow(
      "quorum.yaml:2: deployments[0] must list either 'sentinels' (a Sentinel deployment) or 'cluster' (seed nodes)",
    );
  });
});

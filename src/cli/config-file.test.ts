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
    expect(loadConfig(path, { PW: 'p', SPW: 's' })).toEqual([
      {
        name: 'cache',
        masterName: 'mymaster',
        sentinels: ['10.0.0.5:26379', '[::1]:26380'],
        nodes: [],
        password: 'p',
        sentinelPassword: 'p',
      },
      {
        name: 'queue',
        masterName: 'queue',
        sentinels: ['q:26379'],
        nodes: [],
        password: 'p',
        sentinelPassword: 's',
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

import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { drill, sentinelRun } from './drill-support.js';
import type { TestDeployment } from './helpers.js';
import { quorum, startDeployment, waitFor } from './helpers.js';
import { redisCli } from './tls-support.js';

const APP_PASSWORD = 'app-password-from-the-flag';

const eventsSchema = z.object({ type: z.string(), ms: z.number() });

describe('up --acl: every process with its own users, the default user off', () => {
  let deployment: TestDeployment;
  const password = (user: string) =>
    readFileSync(join(deployment.dir, 'acl', `${user}.password`), 'utf8').trim();

  /** redis-cli as `user` (its password by environment, never argv); the reply, or the error. */
  const cli = (port: number, user: string | null, args: string[]) =>
    redisCli(
      [...(user ? ['--user', user] : []), '-p', String(port), ...args],
      user && password(user),
    );
  const master = async () => {
    const status = await quorum(['status', '--json', '--dir', deployment.dir]);
    const parsed = z
      .object({ deployments: z.array(z.object({ master: z.string().nullable() })) })
      .parse(JSON.parse(status.stdout));
    return Number(parsed.deployments[0]?.master?.split(':')[1]);
  };

  beforeAll(async () => {
    deployment = await startDeployment('acl', [
      '--acl',
      '--no-dashboard',
      '--down-after',
      '2000',
      '--password',
      APP_PASSWORD,
    ]);
    expect(deployment.up.code, deployment.up.stderr).toBe(0);
  });

  afterAll(async () => {
    expect((await deployment.down()).code).toBe(0);
  });

  it('is healthy with quorum logged in as its own user, and says who applications log in as', async () => {
    expect(deployment.up.stdout).toContain(
      `applications log in as 'app' with the password in ${join(deployment.dir, 'acl', 'app.password')}`,
    );
    expect(password('app')).toBe(APP_PASSWORD);
    for (const user of ['quorum', 'sentinel', 'replica', 'backup', 'app'])
      expect(statSync(join(deployment.dir, 'acl', `${user}.password`)).mode & 0o777).toBe(0o600);
    const status = await quorum(['status', '--dir', deployment.dir]);
    expect(status.code, status.stdout).toBe(0);
    expect(status.stdout).not.toContain(password('quorum'));
    // the default user is off: a client without credentials is turned away
    expect(cli(deployment.port, null, ['PING'])).toMatch(/NOAUTH/);
    // applications reach the master through the proxy as app, without the dangerous commands
    expect(cli(deployment.port + 3, 'app', ['SET', 'greeting', 'hello'])).toBe('OK');
    expect(cli(deployment.port + 3, 'app', ['CONFIG', 'GET', 'maxmemory'])).toMatch(/NOPERM/);
    expect(
      cli(deployment.port + 50, 'app', ['SENTINEL', 'get-master-addr-by-name', 'mymaster']),
    ).toMatch(/127\.0\.0\.1/);
  });

  it('prints each user’s rules for servers set up by hand', async () => {
    const printed = await quorum(['acl', 'print', 'sentinel']);
    expect(printed.code).toBe(0);
    expect(printed.stdout).toContain('user sentinel on >PASSWORD allchannels +multi +slaveof');
    const json = await quorum(['acl', 'print', 'exporter', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({
      role: 'exporter',
      sentinel: expect.stringContaining('+sentinel|ckquorum') as unknown,
    });
    const wrong = await quorum(['acl', 'print', 'nobody']);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain(
      'Allowed choices are quorum, sentinel, replica, backup, app, exporter',
    );
  });

  it('lets an application find a replica through the sentinels as app, as client libraries do', async () => {
    const client = new Redis({
      sentinels: [{ host: '127.0.0.1', port: deployment.port + 50 }],
      name: 'mymaster',
      role: 'slave',
      username: 'app',
      password: password('app'),
      sentinelUsername: 'app',
      sentinelPassword: password('app'),
      lazyConnect: true,
      maxRetriesPerRequest: 1,
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      expect(await client.get('greeting')).toBe('hello');
      expect(((await client.call('ROLE')) as unknown[])[0]).toBe('slave');
    } finally {
      client.disconnect();
    }
  });

  it('fails over in a kill-master drill with no command refused: every ACL LOG stays empty', async () => {
    const nodes = [deployment.port, deployment.port + 1, deployment.port + 2];
    const sentinels = [deployment.port + 50, deployment.port + 51, deployment.port + 52];
    // what the tests above were refused on purpose is not the drill's
    for (const port of [...nodes, ...sentinels])
      expect(cli(port, 'quorum', ['ACL', 'LOG', 'RESET'])).toBe('OK');
    const run = sentinelRun((await drill(deployment, 'kill-master')).runs[0]);
    expect(run.failover).toBe(true);
    expect(run.ackedLost).toBeLessThanOrEqual(20);
    expect(run.violations).toEqual([]);
    for (const port of [...nodes, ...sentinels])
      expect(cli(port, 'quorum', ['ACL', 'LOG'])).toBe('');
  });

  it('flags a sentinel user without +slaveof before any failover, and the failover then stalls as said', async () => {
    const ports = [deployment.port, deployment.port + 1, deployment.port + 2];
    for (const port of ports)
      expect(cli(port, 'quorum', ['ACL', 'SETUSER', 'sentinel', '-slaveof'])).toBe('OK');
    const status = await quorum(['status', '--dir', deployment.dir]);
    expect(status.code).toBe(1);
    expect(status.stdout).toMatch(
      /problem: the sentinels log in to 127\.0\.0\.1:\d+ as 'sentinel', which may not run SLAVEOF: a failover would stop half-way; add \+slaveof to its rules/,
    );
    const old = await master();
    const since = Date.now();
    const killed = await quorum(['node', 'kill', String(old), '--dir', deployment.dir]);
    expect(killed.code, killed.stderr).toBe(0);
    // Sentinel picks a replica, sends SLAVEOF NO ONE, is refused, and gives up after failover-timeout
    const aborted = await waitFor('the failover to stall', 40_000, async () => {
      const events = await quorum(['events', '--json', '--dir', deployment.dir]);
      const seen = z
        .array(eventsSchema)
        .parse(JSON.parse(events.stdout))
        .filter((e) => e.ms >= since);
      return seen.some((e) => e.type === '-failover-abort-slave-timeout') ? seen : undefined;
    });
    expect(aborted.some((e) => e.type === '+switch-master')).toBe(false);
    const log = ports
      .filter((p) => p !== old)
      .map((p) => cli(p, 'quorum', ['ACL', 'LOG']))
      .join('\n');
    expect(log).toContain('slaveof');
    expect(log).toContain('sentinel');
  });
});

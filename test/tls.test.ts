import { execFileSync, spawn } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { accessOptions, RedisLink } from '../src/redis/index.js';
import { drill, sentinelRun } from './drill-support.js';
import type { TestDeployment, TestServer } from './helpers.js';
import {
  BIN,
  freePorts,
  quorum,
  startDeployment,
  startServer,
  tempDir,
  waitFor,
} from './helpers.js';
import { launchBrowser } from './browser.js';
import { clientAccess, clientFlags, NEW_EC_KEY, redisCli } from './tls-support.js';

const PASSWORD = 'tls-test-password';

/** A certificate signed by the deployment's CA, for names and dates `up --tls` would never use. */
function signedCert(tlsDir: string, name: string, san: string, days: number): void {
  const at = (f: string) => join(tlsDir, f);
  execFileSync('openssl', [
    'req',
    '-new',
    ...NEW_EC_KEY,
    '-keyout',
    at(`${name}.key`),
    '-out',
    at(`${name}.csr`),
    '-subj',
    `/CN=${name}`,
  ]);
  writeFileSync(at(`${name}.ext`), `subjectAltName=${san}\n`);
  execFileSync('openssl', [
    'x509',
    '-req',
    '-in',
    at(`${name}.csr`),
    '-CA',
    at('ca.crt'),
    '-CAkey',
    at('ca.key'),
    '-CAcreateserial',
    '-days',
    String(days),
    '-extfile',
    at(`${name}.ext`),
    '-out',
    at(`${name}.crt`),
  ]);
}

/** A TLS-only redis-server with these files; up once its TLS port takes connections. */
async function startTlsServer(
  dir: string,
  port: number,
  files: { cert: string; key: string; ca: string },
): Promise<TestServer> {
  const child = spawn(
    'redis-server',
    [
      '--port',
      '0',
      '--tls-port',
      String(port),
      '--tls-cert-file',
      files.cert,
      '--tls-key-file',
      files.key,
      '--tls-ca-cert-file',
      files.ca,
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
    ],
    { cwd: dir, stdio: 'ignore' },
  );
  const stop = () =>
    new Promise<void>((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      child.once('exit', () => done());
      child.kill('SIGKILL');
    });
  try {
    await waitFor(
      `a TLS redis-server on ${port}`,
      10_000,
      () =>
        new Promise<true | undefined>((answer) => {
          const socket = connect({ host: '127.0.0.1', port }, () => {
            socket.destroy();
            answer(true);
          });
          socket.once('error', () => answer(undefined));
        }),
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { port, child, stop };
}

const statusSchema = z.object({
  deployments: z.array(
    z.object({
      healthy: z.boolean(),
      master: z.string().nullable(),
      tls: z.boolean(),
      certificates: z.array(
        z.object({ addr: z.string(), process: z.string(), expiresAt: z.string() }),
      ),
    }),
  ),
});

describe('up --tls: a TLS-only deployment, reached with its own certificates', () => {
  let deployment: TestDeployment;
  let tls = '';
  let files: string[] = [];
  const servers: TestServer[] = [];

  beforeAll(async () => {
    deployment = await startDeployment('tls', [
      '--tls',
      '--no-dashboard',
      '--down-after',
      '2000',
      '--password',
      PASSWORD,
    ]);
    expect(deployment.up.code, deployment.up.stderr).toBe(0);
    tls = join(deployment.dir, 'tls');
    files = clientFlags(tls);
  });

  afterAll(async () => {
    for (const s of servers) await s.stop();
    expect((await deployment.down()).code).toBe(0);
  });

  const cli = (port: number, args: string[], tlsOn = true) =>
    redisCli([...(tlsOn ? ['--tls', ...files] : []), '-p', String(port), ...args], PASSWORD);

  it('is healthy, shows each certificate with its end, and keeps the keys private', async () => {
    const status = await quorum(['status', '--json', '--dir', deployment.dir]);
    expect(status.code, status.stderr).toBe(0);
    const [d] = statusSchema.parse(JSON.parse(status.stdout)).deployments;
    expect(d?.healthy).toBe(true);
    expect(d?.tls).toBe(true);
    // three nodes and three sentinels, each for about a year
    expect(d?.certificates.map((c) => c.process).sort()).toEqual([
      'node',
      'node',
      'node',
      'sentinel',
      'sentinel',
      'sentinel',
    ]);
    for (const c of d?.certificates ?? [])
      expect(Date.parse(c.expiresAt) - Date.now()).toBeGreaterThan(300 * 86_400_000);
    for (const key of ['ca.key', 'quorum.key', 'redis-1.key', 'sentinel-1.key'])
      expect(statSync(join(tls, key)).mode & 0o777).toBe(0o600);
    const text = await quorum(['status', '--dir', deployment.dir]);
    expect(text.stdout).toMatch(/TLS CERTIFICATE[\s\S]*redis-1[\s\S]*days/);
  });

  it('answers redis-cli --tls with the files up made, and refuses plain TCP', () => {
    expect(cli(deployment.port, ['PING'])).toBe('PONG');
    expect(cli(deployment.port + 50, ['SENTINEL', 'get-master-addr-by-name', 'mymaster'])).toMatch(
      /127\.0\.0\.1/,
    );
    // Redis drops a client that does not start with a TLS handshake
    expect(cli(deployment.port, ['PING'], false)).toMatch(/^failed: .*Connection reset by peer/s);
  });

  it('prints neither a password nor a key in status --json', async () => {
    const status = await quorum(['status', '--json', '--dir', deployment.dir]);
    expect(status.stdout).not.toContain(PASSWORD);
    expect(status.stdout).not.toContain('PRIVATE KEY');
  });

  it('attaches with other credentials for the nodes than for the sentinels, and names the sentinels’ when they are wrong', async () => {
    // the nodes get an ACL user of their own; the sentinels keep only their requirepass
    for (const port of [deployment.port, deployment.port + 1, deployment.port + 2])
      expect(cli(port, ['ACL', 'SETUSER', 'ops', 'on', '>ops-password', '~*', '&*', '+@all'])).toBe(
        'OK',
      );
    const sentinel = `127.0.0.1:${deployment.port + 50}`;
    const flags = ['--tls', '--sentinel-tls', ...files, '--user', 'ops'];
    const env = { ...process.env, OPS: 'ops-password', SENTINELS: PASSWORD };
    const good = await quorum(
      [
        'status',
        '--sentinel',
        sentinel,
        ...flags,
        '--password-env',
        'OPS',
        '--sentinel-password-env',
        'SENTINELS',
      ],
      { env },
    );
    expect(good.code, good.stderr + good.stdout).toBe(0);
    const swapped = await quorum(
      [
        'status',
        '--sentinel',
        sentinel,
        ...flags,
        '--password-env',
        'SENTINELS',
        '--sentinel-password-env',
        'OPS',
      ],
      { env },
    );
    expect(swapped.code).not.toBe(0);
    expect(swapped.stderr).toContain(
      `${sentinel} rejected the sentinel credentials (user 'default'): check --sentinel-user and --sentinel-password-env`,
    );
  });

  it('serves the dashboard over HTTPS, refuses plain HTTP beyond loopback, and shows each certificate’s end', async () => {
    const token = 'a-dashboard-token-of-length';
    const plain = await quorum(
      ['dashboard', '--dir', deployment.dir, '--host', '0.0.0.0', '--port', '0', '--token', token],
      { timeoutMs: 15_000 },
    );
    expect(plain.code).toBe(2);
    expect(plain.stderr).toContain('refusing to serve the dashboard on 0.0.0.0 over plain HTTP');
    const dashPort = await freePorts(1);
    // a certificate the deployment's CA signed for 127.0.0.1 serves the dashboard too
    const child = spawn(
      process.execPath,
      [
        BIN,
        'dashboard',
        '--dir',
        deployment.dir,
        '--host',
        '0.0.0.0',
        '--port',
        String(dashPort),
        '--token',
        token,
        '--tls-cert',
        join(tls, 'redis-1.crt'),
        '--tls-key',
        join(tls, 'redis-1.key'),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const browser = await launchBrowser();
    try {
      await waitFor('the dashboard to listen', 15_000, () =>
        out.includes(`dashboard: https://0.0.0.0:${dashPort}/`) ? true : undefined,
      );
      const context = await browser.newContext({ ignoreHTTPSErrors: true });
      const page = await context.newPage();
      await page.goto(`https://127.0.0.1:${dashPort}/?token=${token}`);
      await expect
        .poll(() => page.getByText('live', { exact: true }).count(), { timeout: 15_000 })
        .toBe(1);
      await page.getByTestId(`node-127.0.0.1:${deployment.port}`).click();
      await expect
        .poll(() => page.getByTestId('node-drawer').textContent(), { timeout: 15_000 })
        .toMatch(/TLS certificate\s*ends \d{4}-\d{2}-\d{2} \(36\d days\)/);
      await context.close();
    } finally {
      await browser.close();
      await new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      });
    }
  });

  it('names what is wrong when a client gets TLS wrong, one sentence each', async () => {
    const sentinel = `127.0.0.1:${deployment.port + 50}`;
    const attach = async (flags: string[], env: NodeJS.ProcessEnv = {}) => {
      const run = await quorum(['status', '--sentinel', sentinel, ...flags], {
        env: { ...process.env, ...env },
      });
      expect(run.code).not.toBe(0);
      expect(run.stderr).not.toMatch(/\n\s+at /);
      return run.stderr;
    };
    expect(await attach([])).toContain(
      `${sentinel} closed the connection at once; it may speak TLS: add --sentinel-tls`,
    );
    expect(await attach(['--sentinel-tls', '--cacert', join(tls, 'ca.crt')])).toContain(
      `${sentinel} requires a client certificate (tls-auth-clients yes): add --sentinel-cert and --sentinel-key`,
    );
    // a CA of its own, which signed none of the servers
    execFileSync('openssl', [
      'req',
      '-x509',
      '-new',
      ...NEW_EC_KEY,
      '-keyout',
      join(tls, 'stranger.key'),
      '-out',
      join(tls, 'stranger.crt'),
      '-days',
      '30',
      '-subj',
      '/CN=stranger',
    ]);
    const stranger = join(tls, 'stranger.crt');
    expect(
      await attach([
        '--sentinel-tls',
        '--cacert',
        stranger,
        '--cert',
        join(tls, 'quorum.crt'),
        '--key',
        join(tls, 'quorum.key'),
      ]),
    ).toContain(`${sentinel}'s certificate is not signed by the CA in ${stranger}`);
    expect(
      await attach(['--sentinel-tls', ...files, '--sentinel-sni', 'cache.example'], {
        QUORUM_PASSWORD: PASSWORD,
      }),
    ).toContain(
      `${sentinel}'s certificate names DNS:localhost, IP Address:127.0.0.1, not cache.example; connect by one of those names or pass --sentinel-sni NAME`,
    );
    // the nodes' password is right, the sentinels' is not: the sentence says which
    expect(
      await attach(['--sentinel-tls', '--tls', ...files, '--sentinel-password-env', 'WRONG'], {
        QUORUM_PASSWORD: PASSWORD,
        WRONG: 'not-it',
      }),
    ).toContain(
      `${sentinel} rejected the sentinel credentials (user 'default'): check --sentinel-user and --sentinel-password-env`,
    );
    expect(await attach(['--cert', join(tls, 'quorum.crt'), '--tls'])).toContain(
      '--cert needs --key too',
    );
  });

  it('names the certificate that names another address, or that ended, and a plain port spoken to in TLS', async () => {
    const dir = tempDir('tls-servers');
    signedCert(tls, 'elsewhere', 'IP:127.0.0.2', 30);
    signedCert(tls, 'ended', 'IP:127.0.0.1', -1);
    const port = await freePorts(3);
    for (const [name, at] of [
      ['elsewhere', port],
      ['ended', port + 1],
    ] as const)
      servers.push(
        await startTlsServer(dir, at, {
          cert: join(tls, `${name}.crt`),
          key: join(tls, `${name}.key`),
          ca: join(tls, 'ca.crt'),
        }),
      );
    servers.push(await startServer('redis-server', dir, port + 2, []));
    const access = clientAccess(tls);
    const failure = async (addr: string) => {
      const link = new RedisLink(addr, { timeoutMs: 2000, access, connectionName: 'test' });
      try {
        return await waitFor(`a refusal from ${addr}`, 10_000, () =>
          link.call('PING').then(
            () => 'answered',
            (err: unknown) =>
              err instanceof Error && !/refused the connection/.test(err.message)
                ? err.message
                : undefined,
          ),
        );
      } finally {
        await link.close();
      }
    };
    expect(await failure(`127.0.0.1:${port}`)).toBe(
      `127.0.0.1:${port}'s certificate names IP Address:127.0.0.2, not 127.0.0.1; connect by one of those names or pass --sni NAME`,
    );
    const ended = execFileSync('openssl', [
      'x509',
      '-in',
      join(tls, 'ended.crt'),
      '-noout',
      '-enddate',
    ])
      .toString()
      .replace('notAfter=', '')
      .trim();
    expect(await failure(`127.0.0.1:${port + 1}`)).toBe(
      `127.0.0.1:${port + 1}'s certificate expired on ${new Date(ended).toISOString().slice(0, 10)}; the server needs a new one (CONFIG SET tls-cert-file reloads it)`,
    );
    // the plain port either answers the handshake with bytes that are no TLS, or never answers
    expect(await failure(`127.0.0.1:${port + 2}`)).toMatch(
      /does not speak TLS: drop --tls or connect to its tls-port|did not finish connecting over TLS in time \(a plain port never finishes the TLS handshake/,
    );
  });

  it('passes TLS through its proxy to the master, and to the new one after a failover', async () => {
    const proxyPort = deployment.port + 3;
    const roleVia = async () => {
      const client = new Redis({
        host: '127.0.0.1',
        port: proxyPort,
        ...accessOptions(clientAccess(tls, PASSWORD)),
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      client.on('error', () => undefined);
      try {
        await client.connect();
        const role = (await client.call('ROLE')) as unknown[];
        const port = await client.config('GET', 'tls-port');
        return { role: String(role[0]), port: Number((port as string[])[1]) };
      } finally {
        client.disconnect();
      }
    };
    const before = await roleVia();
    expect(before.role).toBe('master');
    const failover = await quorum(['failover', '--dir', deployment.dir, '--json'], {
      timeoutMs: 60_000,
    });
    expect(failover.code, failover.stderr).toBe(0);
    const after = await waitFor('the proxy to reach the new master', 20_000, async () => {
      const seen = await roleVia().catch(() => null);
      return seen && seen.role === 'master' && seen.port !== before.port ? seen : undefined;
    });
    expect(after.port).not.toBe(before.port);
    // settled before the drill: every sentinel names the new master and both replicas are back
    await waitFor('the failover to settle', 30_000, async () => {
      const status = await quorum(['status', '--json', '--dir', deployment.dir]);
      return status.code === 0 ? true : undefined;
    });
  });

  it('flags a replica that would replicate a TLS-only master over plain TCP', async () => {
    const status = async () => quorum(['status', '--dir', deployment.dir]);
    const parsed = z
      .object({ deployments: z.array(z.object({ master: z.string().nullable() })) })
      .parse(JSON.parse((await quorum(['status', '--json', '--dir', deployment.dir])).stdout));
    const master = Number(parsed.deployments[0]?.master?.split(':')[1]);
    const replica = [deployment.port, deployment.port + 1, deployment.port + 2].find(
      (p) => p !== master,
    );
    expect(cli(replica ?? 0, ['CONFIG', 'SET', 'tls-replication', 'no'])).toBe('OK');
    try {
      const flagged = await status();
      expect(flagged.code).toBe(1);
      expect(flagged.stdout).toContain(
        `problem: 127.0.0.1:${replica} replicates 127.0.0.1:${master} over plain TCP, but that master listens on TLS only: set tls-replication yes on 127.0.0.1:${replica}`,
      );
    } finally {
      expect(cli(replica ?? 0, ['CONFIG', 'SET', 'tls-replication', 'yes'])).toBe('OK');
    }
    expect((await status()).code).toBe(0);
  });

  it('runs the kill-master drill through TLS within its usual bounds', async () => {
    const run = sentinelRun((await drill(deployment, 'kill-master')).runs[0]);
    console.log(
      `kill-master over TLS: +switch-master ${run.switchMasterMs} ms, no writes for ${run.writeUnavailableMs} ms, ${run.ackedLost}/${run.acknowledged} acknowledged writes lost`,
    );
    expect(run.failover).toBe(true);
    expect(run.switchMasterMs).toBeLessThan(2000 + 4000);
    expect(run.acknowledged).toBeGreaterThan(1000);
    expect(run.ackedLost).toBeLessThanOrEqual(20);
    expect(run.violations).toEqual([]);
  });
});

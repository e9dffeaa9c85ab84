import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { spawn } from 'node:child_process';
import { existsSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from './helpers.js';
import { BIN, freePorts, quorum, startServer, tempDir, type RunResult } from './helpers.js';

/** One sentence on stderr, no stack trace, the expected exit code. */
function expectClearError(run: RunResult, code: 1 | 2, pattern: RegExp): void {
  expect(run.stderr).toMatch(pattern);
  expect(run.stderr).not.toMatch(/\n\s+at /);
  expect(
    run.stderr
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('quorum:')),
  ).toHaveLength(1);
  expect(run.code).toBe(code);
}

describe('bad input to up', () => {
  it('says which package to install when the Redis binaries are missing', async () => {
    // a PATH with node and nothing else
    const bin = tempDir('path');
    symlinkSync(process.execPath, join(bin, 'node'));
    const env = { ...process.env, PATH: bin };
    const run = await quorum(['up', '--dir', tempDir('nobin'), '--port', '14000'], {
      env,
      timeoutMs: 15_000,
    });
    expectClearError(
      run,
      1,
      /quorum: redis-server is not installed .*apt-get install redis-server/,
    );
  });

  it('names the package when up --tls finds no openssl to make its certificates', async () => {
    // node and the Redis binaries, but no openssl
    const bin = tempDir('path-tls');
    symlinkSync(process.execPath, join(bin, 'node'));
    for (const tool of ['redis-server', 'redis-sentinel', 'setpriv'])
      symlinkSync(`/usr/bin/${tool}`, join(bin, tool));
    const dir = tempDir('notls');
    const run = await quorum(['up', '--tls', '--dir', dir, '--port', '14000'], {
      env: { ...process.env, PATH: bin },
      timeoutMs: 15_000,
    });
    expectClearError(
      run,
      2,
      /--tls makes certificates with openssl, which is not installed; install Debian's openssl package \(apt-get install openssl\)/,
    );
    expect(existsSync(join(dir, 'tls'))).toBe(false);
  });

  it('refuses --tls-auth-clients without --tls, and ACL and TLS flags meant for attaching on a local one', async () => {
    const lone = await quorum(['up', '--tls-auth-clients', 'no', '--dir', tempDir('auth')]);
    expectClearError(lone, 2, /--tls-auth-clients sets how TLS servers treat clients; add --tls/);
    const local = await quorum(['status', '--dir', tempDir('local'), '--tls']);
    expectClearError(
      local,
      2,
      /--tls is for --sentinel or --cluster; a local deployment \(--dir\) is reached the way up made it/,
    );
  });

  it('names the port in use and suggests --port', async () => {
    const port = await freePorts(60);
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(port + 1, '127.0.0.1', () => r()));
    try {
      const run = await quorum(
        [
          'up',
          '--dir',
          tempDir('busy'),
          '--port',
          String(port),
          '--sentinel-port',
          String(port + 50),
        ],
        { timeoutMs: 15_000 },
      );
      expectClearError(
        run,
        1,
        new RegExp(`port ${port + 1} \\(for redis-2\\) is already in use .*--port`),
      );
    } finally {
      blocker.close();
    }
  });

  it('refuses --quorum larger than --sentinels as bad usage', async () => {
    const run = await quorum(
      ['up', '--dir', tempDir('quorum'), '--sentinels', '3', '--quorum', '4'],
      { timeoutMs: 15_000 },
    );
    expectClearError(run, 2, /--quorum 4 is larger than --sentinels 3.*use --quorum 2/);
  });

  it('refuses a bad alerts section before anything starts, naming the field and its line', async () => {
    const dir = tempDir('alerts');
    const config = join(dir, 'quorum.yaml');
    writeFileSync(
      config,
      'alerts:\n  notifiers:\n    - name: ops\n      type: pager\n      url: x\n',
    );
    const run = await quorum(['up', '--dir', join(dir, 'q'), '--config', config], {
      timeoutMs: 15_000,
    });
    expectClearError(run, 2, /quorum\.yaml:4: alerts\.notifiers\[0\]\.type /);
    expect(existsSync(join(dir, 'q', 'state.json'))).toBe(false);
  });

  it('refuses alert and metrics flags with --no-dashboard, which serves neither', async () => {
    const run = await quorum(
      ['up', '--dir', tempDir('nodash'), '--no-dashboard', '--metrics-public'],
      { timeoutMs: 15_000 },
    );
    expectClearError(run, 2, /--metrics-public needs the dashboard's server.*drop --no-dashboard/);
  });

  it('refuses promtool tests without a rules file to point them at', async () => {
    const run = await quorum(['export', 'prometheus-rules', '--tests', 'x.test.yml'], {
      timeoutMs: 15_000,
    });
    expectClearError(run, 2, /--tests needs --output/);
  });

  it("points a usage error at the subcommand's own help", async () => {
    const run = await quorum(['cluster', 'keyslot', 'k', '--bogus'], { timeoutMs: 15_000 });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown option '--bogus'");
    expect(run.stderr.trim().split('\n').at(-1)).toBe(
      "(run 'quorum cluster keyslot --help' for usage)",
    );
  });

  it('refuses --dir on the exports that serve every deployment, saying why, not "unknown option"', async () => {
    const rules = await quorum(['export', 'prometheus-rules', '--dir', tempDir('rules')], {
      timeoutMs: 15_000,
    });
    expectClearError(
      rules,
      2,
      /alert rules serve every deployment by its 'deployment' label, so they take no --dir; load them in Prometheus/,
    );
    const grafana = await quorum(['export', 'grafana', '--dir', tempDir('grafana')], {
      timeoutMs: 15_000,
    });
    expectClearError(
      grafana,
      2,
      /Grafana's panels serve every deployment .* so they take no --dir; import the file in Grafana/,
    );
  });

  it('refuses --network lab without root, and names the packages when ip, nft or tc are missing', async () => {
    if (process.getuid?.() === 0) {
      // as an unprivileged user (nobody), the same command is refused before anything starts;
      // nobody may read (only read) any file, so the checkout can sit in a directory only root
      // can enter (a clone in `mktemp -d`)
      const asNobody = await new Promise<RunResult>((done) => {
        const child = spawn(
          'setpriv',
          [
            '--reuid=nobody',
            '--regid=nogroup',
            '--clear-groups',
            '--inh-caps=+dac_read_search',
            '--ambient-caps=+dac_read_search',
            process.execPath,
            BIN,
            'up',
            '--network',
            'lab',
            '--dir',
            '/nonexistent/lab',
          ],
          { stdio: ['ignore', 'pipe', 'pipe'] },
        );
        let stderr = '';
        child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
        child.on('exit', (code) => done({ code, stdout: '', stderr, ms: 0 }));
      });
      expectClearError(
        asNobody,
        2,
        /--network lab needs root: .*or without --network lab \(loopback\)/,
      );
    }
    const bin = tempDir('labpath');
    symlinkSync(process.execPath, join(bin, 'node'));
    const run = await quorum(['up', '--network', 'lab', '--dir', tempDir('labtools')], {
      env: { ...process.env, PATH: bin },
      timeoutMs: 15_000,
    });
    if (process.getuid?.() === 0)
      expectClearError(
        run,
        2,
        /--network lab needs ip, nft, tc; install them with: apt-get install iproute2 nftables/,
      );
    else expectClearError(run, 2, /--network lab needs root/);
  });

  it('refuses a malformed number as bad usage', async () => {
    const run = await quorum(['up', '--dir', tempDir('nan'), '--replicas', 'two'], {
      timeoutMs: 15_000,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("'--replicas <n>' argument 'two' is invalid");
  });

  it('explains that nothing runs when node is used without a supervisor', async () => {
    const dir = tempDir('nosup');
    const run = await quorum(['node', 'kill', 'redis-1', '--dir', dir], { timeoutMs: 15_000 });
    expectClearError(run, 1, /no supervisor is running in .*quorum up --dir/);
  });

  it('explains that there is no deployment to show', async () => {
    const dir = tempDir('nostate');
    const run = await quorum(['status', '--dir', dir], { timeoutMs: 15_000 });
    expectClearError(run, 1, /there is no quorum deployment in .*quorum up --dir/);
  });
});

describe('bad input to status --sentinel (attaching to a deployment)', () => {
  const servers: TestServer[] = [];
  let base = 0;
  let http: HttpServer | null = null;
  let master: TestServer;
  let sentinel: TestServer;
  let lockedSentinel: TestServer;
  let frozenSentinel: TestServer;

  beforeAll(async () => {
    const dir = tempDir('attach');
    base = await freePorts(10);
    master = await startServer('redis-server', dir, base, []);
    servers.push(master);
    // a replica whose INFO is renamed away: it answers every INFO with an error
    servers.push(
      await startServer('redis-server', dir, base + 1, [
        '--replicaof',
        '127.0.0.1',
        String(base),
        '--rename-command',
        'INFO',
        '""',
      ]),
    );
    const monitor = ['--sentinel', 'monitor', 'mymaster', '127.0.0.1', String(base), '1'];
    sentinel = await startServer('redis-sentinel', dir, base + 2, monitor);
    lockedSentinel = await startServer(
      'redis-sentinel',
      dir,
      base + 3,
      [...monitor, '--requirepass', 'secret'],
      'secret',
    );
    frozenSentinel = await startServer('redis-sentinel', dir, base + 4, monitor);
    servers.push(sentinel, lockedSentinel, frozenSentinel);
    http = createHttpServer((_req, res) => res.end('hello'));
    await new Promise<void>((r) => http?.listen(base + 5, '127.0.0.1', () => r()));
  });

  afterAll(async () => {
    http?.close();
    await Promise.all(servers.map((s) => s.stop()));
  });

  it('says the sentinel refused the connection', async () => {
    const run = await quorum(
      ['status', '--sentinel', `127.0.0.1:${base + 6}`, '--master-name', 'mymaster'],
      { timeoutMs: 15_000 },
    );
    expectClearError(run, 1, new RegExp(`127\\.0\\.0\\.1:${base + 6} refused the connection`));
  });

  it('says the sentinel did not answer in time', async () => {
    frozenSentinel.child.kill('SIGSTOP');
    try {
      const run = await quorum(
        [
          'status',
          '--sentinel',
          `127.0.0.1:${base + 4}`,
          '--master-name',
          'mymaster',
          '--timeout',
          '500',
        ],
        { timeoutMs: 15_000 },
      );
      expectClearError(
        run,
        1,
        new RegExp(`127\\.0\\.0\\.1:${base + 4} did not answer .*within 500 ms`),
      );
      expect(run.ms).toBeLessThan(10_000);
    } finally {
      frozenSentinel.child.kill('SIGCONT');
    }
  });

  it('says an HTTP server is not Redis', async () => {
    const run = await quorum(
      ['status', '--sentinel', `127.0.0.1:${base + 5}`, '--master-name', 'mymaster'],
      { timeoutMs: 15_000 },
    );
    expectClearError(run, 1, /does not speak the Redis protocol/);
  });

  it('says a Redis server is not a sentinel', async () => {
    const run = await quorum(
      ['status', '--sentinel', `127.0.0.1:${base}`, '--master-name', 'mymaster'],
      { timeoutMs: 15_000 },
    );
    expectClearError(run, 1, /is a Redis server, not a sentinel/);
  });

  it('names the masters a sentinel monitors after a wrong master name', async () => {
    const run = await quorum(
      ['status', '--sentinel', `127.0.0.1:${base + 2}`, '--master-name', 'nope'],
      { timeoutMs: 15_000 },
    );
    expectClearError(run, 1, /no sentinel monitors a master named 'nope'; they monitor: mymaster/);
  });

  it('says a wrong password was rejected, and that a missing one is required', async () => {
    const wrong = await quorum(
      [
        'status',
        '--sentinel',
        `127.0.0.1:${base + 3}`,
        '--master-name',
        'mymaster',
        '--password',
        'wrong',
      ],
      { timeoutMs: 15_000 },
    );
    expectClearError(
      wrong,
      1,
      /rejected the sentinel credentials \(user 'default'\): check --sentinel-user and --sentinel-password-env \(without them the sentinels get the data nodes’ user and password\)/,
    );
    const missing = await quorum(
      ['status', '--sentinel', `127.0.0.1:${base + 3}`, '--master-name', 'mymaster'],
      { timeoutMs: 15_000 },
    );
    expectClearError(
      missing,
      1,
      /requires a password, and quorum has none for the sentinels: pass --sentinel-password-env VAR/,
    );
  });

  it('shows a node that answers INFO with errors as down, with the reason, and exits 1', async () => {
    const run = await quorum(['status', '--sentinel', `127.0.0.1:${base + 2}`], {
      timeoutMs: 15_000,
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(new RegExp(`127\\.0\\.0\\.1:${base + 1}\\s+unknown\\s+down`));
    expect(run.stdout).toMatch(
      new RegExp(`127\\.0\\.0\\.1:${base + 1} replied with an error: ERR unknown command 'INFO'`),
    );
    // the rest of the deployment is still observed
    expect(run.stdout).toMatch(new RegExp(`127\\.0\\.0\\.1:${base}\\s+master\\s+up`));
  });

  it('attaches to a healthy part of a deployment and finds the master name by itself', async () => {
    const run = await quorum(['status', '--json', '--sentinel', `127.0.0.1:${base + 2}`], {
      timeoutMs: 15_000,
    });
    const json = JSON.parse(run.stdout) as { deployments: { name: string; master: string }[] };
    expect(json.deployments[0]).toMatchObject({ name: 'mymaster', master: `127.0.0.1:${base}` });
  });
});

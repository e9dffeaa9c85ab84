import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './browser.js';
import { BIN, freePorts, quorum, startDeployment, tempDir, waitFor } from './helpers.js';

const TOKEN = 'a-token-of-enough-length';

function serve(args: string[]): {
  child: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
} {
  const child = spawn(process.execPath, [BIN, 'dashboard', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  return {
    child,
    output: () => out,
    stop: () =>
      new Promise((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}

describe('quorum dashboard', () => {
  let dir = '';
  let port = 0;
  let browser: Browser;

  beforeAll(async () => {
    const deployment = await startDeployment('dash', ['--no-dashboard']);
    ({ dir, port } = deployment);
    expect(deployment.up.code).toBe(0);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser.close();
    expect((await quorum(['down', '--dir', dir])).code).toBe(0);
  });

  it('refuses a non-loopback address without a token it was given', async () => {
    const run = await quorum(['dashboard', '--dir', dir, '--host', '0.0.0.0', '--port', '0'], {
      timeoutMs: 15_000,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('refusing to serve the dashboard on 0.0.0.0 with a random token');
  });

  it('names the field of quorum.yaml that is wrong, and a missing password variable', async () => {
    const file = join(tempDir('cfg'), 'quorum.yaml');
    writeFileSync(file, 'deployments:\n  - name: cache\n    sentinels: [10.0.0.5:26379, nope]\n');
    const bad = await quorum(['dashboard', '--config', file, '--port', '0'], { timeoutMs: 15_000 });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /quorum\.yaml:3: deployments\[0\]\.sentinels\[1\] must be host:port/,
    );
    writeFileSync(
      file,
      'deployments:\n  - name: cache\n    sentinels: [127.0.0.1:1]\n    passwordEnv: QUORUM_TEST_UNSET_VARIABLE\n',
    );
    const env = await quorum(['dashboard', '--config', file, '--port', '0'], { timeoutMs: 15_000 });
    expect(env.code).toBe(2);
    expect(env.stderr).toContain(
      'deployments[0].passwordEnv names QUORUM_TEST_UNSET_VARIABLE, which is not set',
    );
  });

  it('serves a local deployment; the page reconnects by itself after the server restarts', async () => {
    const dashPort = await freePorts(1);
    const args = ['--dir', dir, '--port', String(dashPort), '--token', TOKEN];
    let server = serve(args);
    try {
      await waitFor('the dashboard to listen', 15_000, () =>
        server.output().includes('dashboard: ') ? true : undefined,
      );
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${dashPort}/?token=${TOKEN}`);
      const live = page.getByText('live', { exact: true });
      await expect.poll(() => live.count(), { timeout: 15_000 }).toBe(1);
      await expect
        .poll(() => page.getByTestId('agreed-master').textContent(), { timeout: 15_000 })
        .toBe(`127.0.0.1:${port}`);
      await server.stop();
      await expect
        .poll(() => page.getByText('reconnecting', { exact: true }).count(), { timeout: 15_000 })
        .toBe(1);
      server = serve(args);
      await expect.poll(() => live.count(), { timeout: 20_000 }).toBe(1);
      // after the reconnect the page follows new events again: a process action through the supervisor
      const stop = await quorum(['node', 'stop', 'sentinel-3', '--dir', dir]);
      expect(stop.code).toBe(0);
      await expect
        .poll(() => page.getByTestId(`node-127.0.0.1:${port + 52}`).getAttribute('data-state'), {
          timeout: 15_000,
        })
        .toBe('stopped');
      expect((await quorum(['node', 'start', 'sentinel-3', '--dir', dir])).code).toBe(0);
      await page.close();
    } finally {
      await server.stop();
    }
  });
});

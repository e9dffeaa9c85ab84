import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isLoopback, roleOf, Sessions } from './auth.js';
import { checkTokens } from './serve.js';
import { History } from './history.js';
import { staticFile } from './static.js';

describe('roleOf', () => {
  const auth = {
    adminToken: 'admin-token',
    viewerToken: 'viewer-token',
    readOnly: false,
    metricsToken: null,
    metricsPublic: false,
  };
  it('grants admin, viewer, or nothing', () => {
    expect(roleOf(auth, 'admin-token')).toBe('admin');
    expect(roleOf(auth, 'viewer-token')).toBe('viewer');
    expect(roleOf(auth, 'admin-toke')).toBeNull();
    expect(roleOf(auth, '')).toBeNull();
    expect(roleOf(auth, null)).toBeNull();
  });
  it('grants only viewer when read-only', () => {
    expect(roleOf({ ...auth, readOnly: true }, 'admin-token')).toBe('viewer');
  });
});

describe('isLoopback', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['localhost', true],
    ['::1', true],
    ['0.0.0.0', false],
    ['10.0.0.5', false],
    ['::', false],
  ])('%s -> %s', (host, expected) => expect(isLoopback(host)).toBe(expected));
});

describe('History', () => {
  it('keeps at most its capacity per node, and no duplicate sample', () => {
    const history = new History(3);
    for (let t = 1; t <= 5; t++)
      history.add({
        a: { t, opsPerSec: t, memoryUsedBytes: null, connectedClients: null, lagBytes: null },
      });
    history.add({
      a: { t: 5, opsPerSec: 99, memoryUsedBytes: null, connectedClients: null, lagBytes: null },
    });
    expect(history.all().a?.map((s) => s.t)).toEqual([3, 4, 5]);
  });
});

describe('staticFile', () => {
  const root = mkdtempSync(join(tmpdir(), 'quorum-web-'));
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'index.html'), '<html>index</html>');
  writeFileSync(join(root, 'assets', 'app.js'), 'js');
  writeFileSync(join(tmpdir(), 'quorum-secret.txt'), 'secret');

  it('serves files, and index.html for UI routes', () => {
    expect(staticFile(root, '/assets/app.js')).toMatchObject({
      type: 'text/javascript; charset=utf-8',
      immutable: true,
    });
    expect(staticFile(root, '/deployments/x')?.body.toString()).toBe('<html>index</html>');
  });

  it('never serves a file outside its root', () => {
    for (const path of [
      '/../quorum-secret.txt',
      '/..%2fquorum-secret.txt',
      '/assets/../../quorum-secret.txt',
    ]) {
      expect(staticFile(root, path)?.body.toString()).toBe('<html>index</html>');
    }
  });

  it('serves the UI for a path with a malformed escape instead of failing', () => {
    expect(staticFile(root, '/%E0%A4%A')?.body.toString()).toBe('<html>index</html>');
  });

  it('is null when the UI is not built', () => {
    expect(staticFile(join(root, 'missing'), '/')).toBeNull();
  });
});

describe('checkTokens', () => {
  it('needs a set token off loopback, and 16 characters for either token', () => {
    expect(() =>
      checkTokens({ host: '0.0.0.0', token: null, viewerToken: null, metricsToken: null }),
    ).toThrow(/refusing to serve the dashboard on 0\.0\.0\.0/);
    expect(() =>
      checkTokens({ host: '127.0.0.1', token: 'short', viewerToken: null, metricsToken: null }),
    ).toThrow(/--token must be at least 16/);
    expect(() =>
      checkTokens({
        host: '0.0.0.0',
        token: 'a-long-enough-token',
        viewerToken: 'abc',
        metricsToken: null,
        insecureHttp: true,
      }),
    ).toThrow(/--viewer-token must be at least 16/);
    // beyond loopback, plain HTTP only when asked for
    const remote = {
      host: '0.0.0.0',
      token: 'a-long-enough-token',
      viewerToken: null,
      metricsToken: null,
    };
    expect(() => checkTokens(remote)).toThrow(
      /refusing to serve the dashboard on 0\.0\.0\.0 over plain HTTP/,
    );
    expect(() => checkTokens({ ...remote, tls: { cert: 'c', key: 'k' } })).not.toThrow();
    expect(() => checkTokens({ ...remote, insecureHttp: true })).not.toThrow();
    expect(() =>
      checkTokens({ host: '127.0.0.1', token: null, viewerToken: null, metricsToken: null }),
    ).not.toThrow();
  });
});

describe('Sessions', () => {
  it('gives each session a random id that grants its role, named after the port', () => {
    const sessions = new Sessions();
    const a = sessions.open('viewer');
    expect(a).not.toBe(sessions.open('viewer'));
    expect(sessions.roleOf(a)).toBe('viewer');
    expect(sessions.roleOf('forged')).toBeNull();
    expect(sessions.roleOf(undefined)).toBeNull();
    expect(Sessions.cookieName('http://127.0.0.1:8390/api/stream')).toBe('quorum_session_8390');
  });

  it('keeps at most its limit of sessions, forgetting the oldest first', () => {
    const sessions = new Sessions(3);
    const ids = Array.from({ length: 5 }, () => sessions.open('admin'));
    expect(ids.map((id) => sessions.roleOf(id))).toEqual([null, null, 'admin', 'admin', 'admin']);
  });
});

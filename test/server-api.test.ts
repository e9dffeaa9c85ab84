import { OPEN_ACCESS } from '../src/redis/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QuorumEvent } from '../src/model/index.js';
import type { Deployment } from '../src/deployment/index.js';
import { attach, openLocal } from '../src/deployment/index.js';
import { DrillStore } from '../src/drill/index.js';
import type { DeploymentState, NodeDetails } from '../src/server/index.js';
import { createApp, Hub, WEB_ROOT } from '../src/server/index.js';
import { freePorts, masterOf, quorum, startDeployment, waitFor } from './helpers.js';

const PASSWORD = 'correct-horse-battery';
const ADMIN = 'admin-token-0123456789';
const VIEWER = 'viewer-token-0123456789';
const METRICS = 'metrics-token-0123456789';

describe('the dashboard API, in process, against a real deployment', () => {
  let dir = '';
  let port = 0;
  let hub: Hub;
  let app: ReturnType<typeof createApp>;
  let readOnly: ReturnType<typeof createApp>;
  const deployments: Deployment[] = [];

  const as = (token: string | null, path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if (token) headers.set('Authorization', `Bearer ${token}`);
    headers.set('content-type', 'application/json');
    return app.request(path, { ...init, headers });
  };
  const action = (body: unknown, token = ADMIN, name = 'mymaster') =>
    as(token, `/api/deployments/${name}/actions`, { method: 'POST', body: JSON.stringify(body) });
  const deployment = async (): Promise<DeploymentState> =>
    (await (await as(VIEWER, '/api/deployments/mymaster')).json()) as DeploymentState;

  beforeAll(async () => {
    // no proxy: the drills' refusal of `via: proxy` is part of what is checked
    const deployment = await startDeployment('api', [
      '--no-dashboard',
      '--no-proxy',
      '--down-after',
      '2000',
      '--preset',
      'safe',
      '--password',
      PASSWORD,
    ]);
    ({ dir, port } = deployment);
    const up = deployment.up;
    expect(up.code).toBe(0);
    const local = openLocal(dir, { timeoutMs: 1000 });
    const gonePort = await freePorts(1);
    const gone = attach(
      {
        kind: 'sentinel',
        name: 'gone',
        masterName: 'gone',
        sentinels: [`127.0.0.1:${gonePort}`],
        nodes: [],
        access: OPEN_ACCESS,
        sentinelAccess: OPEN_ACCESS,
      },
      { timeoutMs: 1000 },
    );
    deployments.push(local, gone);
    hub = new Hub();
    hub.add(local);
    hub.add(gone);
    await Promise.all(deployments.map((d) => d.observer.start()));
    const metrics = { metricsToken: METRICS, metricsPublic: false };
    app = createApp(
      hub,
      { adminToken: ADMIN, viewerToken: VIEWER, readOnly: false, ...metrics },
      WEB_ROOT,
    );
    readOnly = createApp(
      hub,
      { adminToken: ADMIN, viewerToken: null, readOnly: true, ...metrics },
      WEB_ROOT,
    );
  });

  afterAll(async () => {
    await hub.close();
    await Promise.all(deployments.map((d) => d.close()));
    expect((await quorum(['down', '--dir', dir])).code).toBe(0);
  });

  it('answers 401 and no data without a token or with a wrong one', async () => {
    for (const token of [null, 'wrong-token-0123456789']) {
      for (const path of ['/api/deployments', '/api/deployments/mymaster/events', '/api/stream']) {
        const res = await as(token, path);
        expect(res.status).toBe(401);
        const text = await res.text();
        expect(text).toContain('a valid token is required');
        expect(text).not.toContain('127.0.0.1');
      }
    }
  });

  it('serves /metrics to the metrics token and the dashboard tokens only; the metrics token reads nothing else', async () => {
    for (const token of [null, 'wrong-token-0123456789']) {
      const res = await as(token, '/metrics');
      expect(res.status).toBe(401);
      expect(await res.text()).toContain('a token is required to read /metrics');
    }
    for (const token of [METRICS, VIEWER, ADMIN])
      expect((await as(token, '/metrics')).status).toBe(200);
    expect((await as(METRICS, '/api/deployments')).status).toBe(401);
  });

  it('exports what the observer saw, per node and per deployment, in Prometheus text format', async () => {
    const res = await as(METRICS, '/metrics');
    expect(res.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    const text = await res.text();
    const m = (labels: string) => `{deployment="mymaster",addr="127.0.0.1:${labels}`;
    expect(text).toContain(`redis_up${m(`${port}",role="master"}`)} 1\n`);
    expect(text).toContain(`redis_up${m(`${port + 1}",role="replica"}`)} 1\n`);
    expect(text).toContain(`redis_master_link_up${m(`${port + 2}",role="replica"}`)} 1\n`);
    expect(text).toMatch(/quorum_replication_lag_bytes\{[^}]*role="replica"\} \d+\n/);
    expect(text).toContain('quorum_sentinels_known{deployment="mymaster"} 3\n');
    expect(text).toContain('quorum_sentinel_agreement{deployment="mymaster"} 1\n');
    expect(text).toContain(
      `quorum_master_info{deployment="mymaster",addr="127.0.0.1:${port}"} 1\n`,
    );
    expect(text).toMatch(
      /redis_sentinel_master_ckquorum_status\{deployment="mymaster",[^}]*\} 1\n/,
    );
    // the deployment whose sentinel never answered is there too, as down
    expect(text).toMatch(/redis_up\{deployment="gone",addr="[^"]+",role="sentinel"\} 0\n/);
    expect(text).toContain('quorum_master_agreed{deployment="gone"} 0\n');
    // every family once, its samples together (the format's rule)
    const types = text.split('\n').filter((l) => l.startsWith('# TYPE '));
    expect(new Set(types).size).toBe(types.length);
  });

  it('shows every deployment to a viewer; one whose sentinels are all unreachable is marked with the reason', async () => {
    const res = await as(VIEWER, '/api/deployments');
    expect(res.status).toBe(200);
    const list = (await res.json()) as DeploymentState[];
    const local = list.find((d) => d.name === 'mymaster');
    expect(masterOf(local?.topology)).toBe(`127.0.0.1:${port}`);
    expect(local?.capabilities.process).toContain('kill');
    const gone = list.find((d) => d.name === 'gone');
    expect(gone?.unreachable).toMatch(/refused the connection/);
    expect(gone?.capabilities.process).toEqual([]);
    // the server's own links: the unreachable sentinel's is down with the reason
    const goneLink = gone?.links.find((l) => l.purpose === 'sentinel');
    expect(goneLink?.state).toBe('down');
    expect(goneLink?.lastError).toMatch(/refused the connection/);
    expect(local?.links.filter((l) => l.purpose === 'sentinel')).toHaveLength(3);
    // polls nobody answers are failed polls, and the state says so
    expect(gone?.observer.failing).toBe('no node or sentinel answered (1 of 1 reads failed)');
    expect(gone?.observer.failedPolls).toBeGreaterThanOrEqual(1);
    expect(local?.observer.failing).toBeNull();
    expect(local?.observer.failedPolls).toBe(0);
  });

  it('refuses actions to a viewer (403) and to everyone when read-only (403)', async () => {
    const viewer = await action({ action: 'failover' }, VIEWER);
    expect(viewer.status).toBe(403);
    expect(await viewer.json()).toEqual({
      error: 'actions need the admin role; this token is for viewing only',
    });
    const res = await readOnly.request('/api/deployments/mymaster/actions', {
      method: 'POST',
      headers: { Authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'failover' }),
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: string }).error).toContain('--read-only');
  });

  it('does not accept the session cookie alone for an action (no CSRF)', async () => {
    const login = await as(ADMIN, '/api/session', { method: 'POST' });
    const cookie = login.headers.get('set-cookie')?.split(';')[0] ?? '';
    expect(cookie).toMatch(/^quorum_session_\d+=/);
    expect(cookie).not.toContain(ADMIN);
    expect((await app.request('/api/deployments', { headers: { cookie } })).status).toBe(200);
    const post = await app.request('/api/deployments/mymaster/actions', {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: '{"action":"failover"}',
    });
    expect(post.status).toBe(401);
  });

  it('answers 400 naming the field for malformed or invalid bodies', async () => {
    const malformed = await as(ADMIN, '/api/deployments/mymaster/actions', {
      method: 'POST',
      body: '{not json',
    });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: string }).error).toMatch(/malformed JSON/i);
    const noNode = await action({ action: 'kill' });
    expect(noNode.status).toBe(400);
    expect(((await noNode.json()) as { error: string }).error).toMatch(/^invalid 'node'/);
    const badAction = await action({ action: 'explode', node: 'x' });
    expect(badAction.status).toBe(400);
    expect(((await badAction.json()) as { error: string }).error).toMatch(/^invalid 'action'/);
    const badSeconds = await action({
      action: 'debug-sleep',
      node: `127.0.0.1:${port + 1}`,
      seconds: -1,
    });
    expect(((await badSeconds.json()) as { error: string }).error).toMatch(/^invalid 'seconds'/);
  });

  it('lists the drill scenarios and refuses drills it cannot run, saying why', async () => {
    const drills = (body: unknown, token = ADMIN, name = 'mymaster') =>
      as(token, `/api/deployments/${name}/drills`, { method: 'POST', body: JSON.stringify(body) });
    const error = async (res: Response) => ((await res.json()) as { error: string }).error;
    const state = (await (await as(VIEWER, '/api/deployments/mymaster/drills')).json()) as {
      available: boolean;
      vias: string[];
      scenarios: { name: string; needsProcesses: boolean; needsLab: boolean }[];
      running: unknown;
    };
    expect(state.available).toBe(true);
    expect(state.vias).toEqual(['sentinel', 'role-check']);
    expect(state.running).toBeNull();
    expect(state.scenarios.map((s) => s.name)).toContain('split-brain-restart');
    expect(state.scenarios.find((s) => s.name === 'manual-failover')?.needsProcesses).toBe(false);

    expect((await drills({ scenario: 'kill-master' }, VIEWER)).status).toBe(403);
    const unknown = await drills({ scenario: 'meteor-strike' });
    expect(unknown.status).toBe(400);
    expect(await error(unknown)).toContain("there is no scenario 'meteor-strike'; use one of:");
    const zero = await drills({ scenario: 'kill-master', runs: 0 });
    expect(zero.status).toBe(400);
    expect(await error(zero)).toMatch(/^invalid 'runs'/);
    expect(state.scenarios.find((s) => s.name === 'partition-minority-master')).toMatchObject({
      needsLab: true,
    });
    const noLab = await drills({ scenario: 'partition-minority-master' });
    expect(noLab.status).toBe(409);
    expect(await error(noLab)).toContain(
      "needs a lab deployment: start one with 'quorum up --network lab'",
    );
    const cut = await as(ADMIN, '/api/deployments/mymaster/network', {
      method: 'POST',
      body: JSON.stringify({ fault: { kind: 'isolate', member: 'redis-1' } }),
    });
    expect(cut.status).toBe(409);
    expect(await error(cut)).toContain('runs on loopback, where links cannot be cut');
    const badFault = await as(ADMIN, '/api/deployments/mymaster/network', {
      method: 'POST',
      body: JSON.stringify({ fault: { kind: 'meteor' } }),
    });
    expect(badFault.status).toBe(400);
    expect((await deployment()).network).toBeNull();
    const noProxy = await drills({ scenario: 'kill-master', via: 'proxy' });
    expect(noProxy.status).toBe(409);
    expect(await error(noProxy)).toContain("runs behind no proxy of quorum's");
    const attached = await drills({ scenario: 'manual-failover' }, ADMIN, 'gone');
    expect(attached.status).toBe(409);
    expect(await error(attached)).toContain(
      "drills from the dashboard run only on a deployment quorum launched; against 'gone' run them with: quorum drill",
    );
    // a drill from the command line holds the data directory's lock
    const release = new DrillStore(dir).lock('kill-master on mymaster');
    try {
      await waitFor('a healthy deployment', 30_000, async () =>
        (await deployment()).problems.length === 0 ? true : undefined,
      );
      const busy = await drills({ scenario: 'kill-master' });
      expect(busy.status).toBe(409);
      expect(await error(busy)).toMatch(/a drill \(kill-master on mymaster\) runs in process \d+/);
      // nor may anything else move the master under a drill's feet
      const moved = await action({ action: 'switchover' });
      expect(moved.status).toBe(409);
      expect(await error(moved)).toMatch(/runs in process \d+; actions wait until it ends$/);
    } finally {
      release();
    }
    const none = await as(ADMIN, '/api/deployments/mymaster/drills/current', { method: 'DELETE' });
    expect(none.status).toBe(404);
    expect((await as(VIEWER, '/api/deployments/mymaster/drills/..%2Fstate')).status).toBe(404);
    expect((await as(VIEWER, '/api/deployments/mymaster/drills/x/report')).status).toBe(404);
  });

  it('answers 4xx with a clear message for unknown deployments, unknown nodes and missing supervisors', async () => {
    expect((await as(VIEWER, '/api/deployments/nope')).status).toBe(404);
    const unknownNode = await action({ action: 'kill', node: '10.9.9.9:1' });
    expect(unknownNode.status).toBe(404);
    expect(((await unknownNode.json()) as { error: string }).error).toContain(
      "no process '10.9.9.9:1'",
    );
    const sleepUnknown = await action({ action: 'debug-sleep', node: '10.9.9.9:1', seconds: 1 });
    expect(sleepUnknown.status).toBe(404);
    const noSupervisor = await action({ action: 'kill', node: '127.0.0.1:1' }, ADMIN, 'gone');
    expect(noSupervisor.status).toBe(409);
    expect(((await noSupervisor.json()) as { error: string }).error).toContain(
      'is not run by a local supervisor',
    );
  });

  it("gives a node's full INFO and CONFIG, and never lets a password reach the browser", async () => {
    const res = await as(
      VIEWER,
      `/api/deployments/mymaster/nodes/${encodeURIComponent(`127.0.0.1:${port}`)}`,
    );
    expect(res.status).toBe(200);
    const text = await res.text();
    const details = JSON.parse(text) as NodeDetails;
    expect(details.info.replication?.role).toBe('master');
    expect(details.config.requirepass).toBe('(redacted)');
    expect(details.config.masterauth).toBe('(redacted)');
    expect(details.config.port).toBe(String(port));
    // started with --preset safe
    expect(details.config['min-replicas-to-write']).toBe('1');
    expect(details.config.appendonly).toBe('yes');
    const sentinel = (await (
      await as(
        VIEWER,
        `/api/deployments/mymaster/nodes/${encodeURIComponent(`127.0.0.1:${port + 50}`)}`,
      )
    ).json()) as NodeDetails;
    expect(sentinel.kind).toBe('sentinel');
    for (const path of [
      '/api/deployments',
      '/api/deployments/mymaster/events',
      '/api/deployments/mymaster/history',
    ]) {
      expect(await (await as(VIEWER, path)).text()).not.toContain(PASSWORD);
    }
    expect(text).not.toContain(PASSWORD);
  });

  it('freezes and thaws, kills and starts a replica through the supervisor, and logs each with role and outcome', async () => {
    const replica = `127.0.0.1:${port + 2}`;
    const freeze = await action({ action: 'freeze', node: replica });
    expect(await freeze.json()).toEqual({
      ok: true,
      message: `froze redis-3 (${replica}) with SIGSTOP`,
      warning: false,
    });
    await waitFor('the frozen replica to be seen as frozen and down', 10_000, async () => {
      const d = await deployment();
      const up = d.topology?.nodes.find((n) => n.addr === replica)?.up;
      return d.processes.find((p) => p.addr === replica)?.state === 'frozen' && up === false
        ? true
        : undefined;
    });
    expect((await action({ action: 'thaw', node: replica })).status).toBe(200);
    const kill = await action({ action: 'kill', node: 'redis-3' });
    expect(((await kill.json()) as { message: string }).message).toContain('SIGKILL');
    await waitFor('the killed replica to be down', 10_000, async () =>
      (await deployment()).processes.find((p) => p.addr === replica)?.state === 'exited'
        ? true
        : undefined,
    );
    const start = await action({ action: 'start', node: replica });
    expect(((await start.json()) as { message: string }).message).toMatch(
      /started redis-3 .* as a replica of/,
    );
    await waitFor('the replica to be up again', 15_000, async () =>
      (await deployment()).topology?.nodes.find((n) => n.addr === replica)?.up ? true : undefined,
    );
    const events = (await (
      await as(VIEWER, '/api/deployments/mymaster/events')
    ).json()) as QuorumEvent[];
    const actions = events.filter((e) => e.type === 'quorum:action');
    for (const verb of ['froze', 'thawed', 'killed', 'started']) {
      const found = actions.find((e) => e.message.startsWith(verb));
      expect(found?.detail).toMatchObject({ by: 'dashboard (admin)', outcome: 'ok' });
    }
    expect(
      actions.some((e) => e.detail.outcome === 'error' && e.message.includes('10.9.9.9:1')),
    ).toBe(true);
  });

  it('switches over with writes paused, through a password-protected deployment', async () => {
    const before = masterOf((await deployment()).topology);
    const res = await action({ action: 'switchover' });
    const body = (await res.json()) as { message?: string; error?: string; warning?: boolean };
    expect(res.status, body.error).toBe(200);
    expect(body.warning).toBe(false);
    // the old master's config file is writable: its demotion is saved, and nothing is added
    expect(body.message).toMatch(
      /^switched 'mymaster' from \S+ to \S+ with writes paused for \d+ ms; \S+ is a replica now$/,
    );
    const after = await waitFor('a new agreed master', 15_000, async () => {
      const m = masterOf((await deployment()).topology);
      return m && m !== before ? m : undefined;
    });
    expect(after).not.toBe(before);
    // the tests after this one share the deployment: they start once Sentinel's failover is over
    // (no sentinel flags failover_in_progress, every sentinel names the new master) and both
    // replicas follow it, or their own failover meets INPROG and their replica is mid-switch
    await waitFor('the switchover to settle', 30_000, async () => {
      const topology = (await deployment()).topology;
      const t = topology?.kind === 'sentinel' ? topology : null;
      const sentinelsDone = (t?.sentinels ?? []).every(
        (s) => s.up && s.masterAddr === after && !s.masterFlags.includes('failover_in_progress'),
      );
      const replicas = (t?.nodes ?? []).filter((n) => n.role === 'replica' && n.up);
      return sentinelsDone && (t?.sentinels.length ?? 0) > 0 && replicas.length === 2
        ? true
        : undefined;
    });
  });

  it('blocks a node with DEBUG SLEEP, which the observer sees as down and then up', async () => {
    // a replica as observed now: the switchover above may have promoted any node, and a master
    // asleep longer than down-after would start a failover that the tests after this one meet
    const replica = (await deployment()).topology?.nodes.find((n) => n.role === 'replica')?.addr;
    if (replica === undefined) throw new Error('no replica observed');
    const res = await action({ action: 'debug-sleep', node: replica, seconds: 3 });
    expect(await res.json()).toEqual({
      ok: true,
      message: `${replica} sleeps for 3 s (DEBUG SLEEP)`,
      warning: false,
    });
    await waitFor('the sleeping node to be down', 5000, async () =>
      (await deployment()).topology?.nodes.find((n) => n.addr === replica)?.up === false
        ? true
        : undefined,
    );
    // awake for every sentinel too: one that still flags it s_down would refuse the next test's
    // failover (NOGOODSLAVE), as a sentinel promotes no replica it believes down
    await waitFor('the node to wake up, for quorum and for every sentinel', 10_000, async () => {
      const node = (await deployment()).topology?.nodes.find((n) => n.addr === replica);
      return node?.up === true && node.sdownBy.length === 0 ? true : undefined;
    });
  });

  it('streams a snapshot, then events, to a browser authenticated by the session cookie', async () => {
    const login = await as(ADMIN, '/api/session', { method: 'POST' });
    const cookie = login.headers.get('set-cookie')?.split(';')[0] ?? '';
    const controller = new AbortController();
    const res = await app.request('/api/stream', {
      headers: { cookie },
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body?.getReader();
    if (!reader) throw new Error('no body');
    const decoder = new TextDecoder();
    let text = '';
    const readUntil = async (needle: string) => {
      const deadline = Date.now() + 15_000;
      while (!text.includes(needle) && Date.now() < deadline) {
        const { value, done } = (await reader.read()) as { value?: Uint8Array; done: boolean };
        if (done) break;
        text += decoder.decode(value);
      }
      return text.includes(needle);
    };
    try {
      expect(await readUntil('event: snapshot')).toBe(true);
      expect(text).toContain('retry: 1000');
      expect(await readUntil('event: samples')).toBe(true);
      const failover = await action({ action: 'failover' });
      const said = (await failover.json()) as { error?: string };
      expect(failover.status, said.error).toBe(200);
      expect(await readUntil('+switch-master')).toBe(true);
      expect(text).not.toContain(PASSWORD);
    } finally {
      controller.abort();
      await reader.cancel().catch(() => undefined);
    }
    const master = await waitFor('the agreed master to change', 15_000, async () => {
      const m = masterOf((await deployment()).topology);
      return m && m !== `127.0.0.1:${port}` ? m : undefined;
    });
    expect(master).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it('serves the built UI for page paths and a JSON 404 for unknown API paths', async () => {
    const page = await app.request('/?d=mymaster');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    const missing = await as(VIEWER, '/api/nothing-here');
    expect(missing.status).toBe(404);
    const traversal = await app.request('/../../../etc/passwd');
    expect(await traversal.text()).not.toContain('root:');
  });
});

import { Hono } from 'hono';
import { setCookie } from 'hono/cookie';
import { HTTPException } from 'hono/http-exception';
import { actionError, adminOnly, jsonBody, noDeployment, requireToken } from './route-helpers.js';
import type { Env } from './route-helpers.js';
import { streamSSE } from 'hono/streaming';
import { runAction, serve } from './actions.js';
import type { AuthOptions } from './auth.js';
import { mayScrape, Sessions } from './auth.js';
import { renderMetrics } from '../metrics/index.js';
import type { DrillRecord } from '../drill/index.js';
import type {
  ActionResult,
  AlertsState,
  ApiError,
  ClusterJobStarted,
  DrillLive,
  DrillsState,
  JobRecord,
  PushMessage,
  Session,
} from './contract.js';
import {
  actionRequestSchema,
  clusterActionSchema,
  drillRequestSchema,
  networkRequestSchema,
} from './contract.js';
import { nodeDetails } from '../admin/index.js';
import type { Hub } from './hub.js';
import { staticFile } from './static.js';
import { limitBody } from './body-limit.js';

/**
 * Time between heartbeats on the stream, so proxies keep it open and the page can tell a silent
 * stream from a quiet deployment (an SSE comment would not reach the page's EventSource).
 */
const HEARTBEAT_MS = 15_000;

/** The JSON API; its type is what the UI's client is derived from. */
export function createApi(hub: Hub, auth: AuthOptions) {
  const sessions = new Sessions();
  return new Hono<Env>()
    .use('*', requireToken(auth, sessions))
    .get('/session', (c) => c.json<Session>({ role: c.var.role, readOnly: auth.readOnly }))
    .post('/session', (c) => {
      // the UI trades the token it was given once for a cookie, so EventSource can authenticate
      setCookie(c, Sessions.cookieName(c.req.url), sessions.open(c.var.role), {
        httpOnly: true,
        sameSite: 'Strict',
        path: '/api',
        // over HTTPS the browser must never send it in clear
        secure: new URL(c.req.url).protocol === 'https:',
      });
      return c.json<Session>({ role: c.var.role, readOnly: auth.readOnly });
    })
    .get('/deployments', (c) => c.json(hub.list()))
    .get('/deployments/:name', (c) => {
      const state = hub.state(c.req.param('name'));
      return state ? c.json(state) : noDeployment(c);
    })
    .get('/deployments/:name/events', (c) => c.json(hub.events(c.req.param('name'))))
    .get('/deployments/:name/history', (c) => c.json(hub.history(c.req.param('name'))))
    .get('/deployments/:name/jobs', (c) => {
      const source = hub.source(c.req.param('name'));
      return source ? c.json<JobRecord[]>(source.jobs.list()) : noDeployment(c);
    })
    .get('/deployments/:name/alerts', (c) => {
      const alerts = hub.alerts(c.req.param('name'));
      return alerts ? c.json<AlertsState>(alerts) : noDeployment(c);
    })
    .get('/deployments/:name/nodes/:addr', async (c) => {
      const source = hub.source(c.req.param('name'));
      if (!source) return noDeployment(c);
      try {
        const addr = c.req.param('addr');
        return c.json(await serve(() => nodeDetails(source, addr)));
      } catch (err) {
        return actionError(c, err);
      }
    })
    .post('/deployments/:name/actions', jsonBody(actionRequestSchema), async (c) => {
      const refused = adminOnly(c, auth);
      if (refused) return refused;
      const source = hub.source(c.req.param('name'));
      if (!source) return noDeployment(c);
      // a drill measures what it broke: another change meanwhile would corrupt both
      const busy = hub.drills.busy(source);
      if (busy) return c.json<ApiError>({ error: `${busy}; actions wait until it ends` }, 409);
      try {
        const { message, warning } = await runAction(source, c.req.valid('json'), c.var.role);
        return c.json<ActionResult>({ ok: true, message, warning });
      } catch (err) {
        return actionError(c, err);
      }
    })
    .post('/deployments/:name/network', jsonBody(networkRequestSchema), (c) => {
      const refused = adminOnly(c, auth);
      if (refused) return refused;
      const source = hub.source(c.req.param('name'));
      if (!source) return noDeployment(c);
      const network = source.network;
      if (!network)
        return c.json<ApiError>(
          {
            error: `'${source.name}' runs on loopback, where links cannot be cut; start it with 'quorum up --network lab'`,
          },
          409,
        );
      const busy = hub.drills.busy(source);
      if (busy)
        return c.json<ApiError>({ error: `${busy}; network faults wait until it ends` }, 409);
      const { fault, replace } = c.req.valid('json');
      try {
        const said = network.inject(fault, replace);
        source.observer.record(
          'quorum:fault-injected',
          `network: ${said} (by dashboard ${c.var.role})`,
          {
            network: JSON.stringify(fault),
          },
        );
        hub.refresh(source.name);
        return c.json<ActionResult>({ ok: true, message: said, warning: false });
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        return c.json<ApiError>({ error: message }, 409);
      }
    })
    .delete('/deployments/:name/network', (c) => {
      const refused = adminOnly(c, auth);
      if (refused) return refused;
      const source = hub.source(c.req.param('name'));
      if (!source) return noDeployment(c);
      const network = source.network;
      if (!network) return c.json<ApiError>({ error: `'${source.name}' has no lab network` }, 409);
      const had = network.active().length > 0;
      const said = network.heal();
      if (had)
        source.observer.record(
          'quorum:fault-healed',
          `network: ${said} (by dashboard ${c.var.role})`,
          {},
        );
      hub.refresh(source.name);
      return c.json<ActionResult>({ ok: true, message: said, warning: false });
    })
    .post('/deployments/:name/cluster', jsonBody(clusterActionSchema), (c) => {
      const refused = adminOnly(c, auth);
      if (refused) return refused;
      const source = hub.source(c.req.param('name'));
      if (!source) return noDeployment(c);
      const busy = hub.drills.busy(source);
      if (busy)
        return c.json<ApiError>({ error: `${busy}; cluster actions wait until it ends` }, 409);
      try {
        const job = hub.clusterJobs.start(source, c.req.valid('json'), `dashboard (${c.var.role})`);
        return c.json<ClusterJobStarted>({ ok: true, message: job.description, job }, 202);
      } catch (err) {
        return actionError(c, err);
      }
    })
    .delete('/deployments/:name/cluster/current', (c) => {
      const refused = adminOnly(c, auth);
      if (refused) return refused;
      const source = hub.source(c.req.param('name'));
      if (!source) return noDeployment(c);
      return hub.clusterJobs.cancel(source)
        ? c.json<ActionResult>({
            ok: true,
            message: 'cancelling after the slot being moved',
            warning: false,
          })
        : c.json<ApiError>({ error: `no cluster job runs on '${source.name}'` }, 409);
    })
    .get('/deployments/:name/drills', async (c) => {
      const source = hub.source(c.req.param('name'));
      return source ? c.json<DrillsState>(await hub.drills.state(source)) : noDeployment(c);
    })
    .post('/deployments/:name/drills', jsonBody(drillRequestSchema), async (c) => {
      const refused = adminOnly(c, auth);
      if (refused) return refused;
      const source = hub.source(c.req.param('name'));
      if (!source) return noDeployment(c);
      try {
        const actor = `dashboard (${c.var.role})`;
        return c.json<DrillLive>(await hub.drills.start(source, c.req.valid('json'), actor), 202);
      } catch (err) {
        return actionError(c, err);
      }
    })
    .delete('/deployments/:name/drills/current', (c) => {
      const refused = adminOnly(c, auth);
      if (refused) return refused;
      const source = hub.source(c.req.param('name'));
      if (!source) return noDeployment(c);
      return hub.drills.stop(source, `dashboard (${c.var.role})`)
        ? c.json<ActionResult>({
            ok: true,
            message: 'stopping: every injected fault is healed first',
            warning: false,
          })
        : c.json<ApiError>({ error: 'no drill runs on this deployment' }, 404);
    })
    .get('/deployments/:name/drills/:id', (c) => {
      const source = hub.source(c.req.param('name'));
      if (!source) return noDeployment(c);
      const record = hub.drills.record(source, c.req.param('id'));
      return record
        ? c.json<DrillRecord>(record)
        : c.json<ApiError>({ error: `no drill '${c.req.param('id')}'` }, 404);
    })
    .get('/deployments/:name/drills/:id/report', (c) => {
      const source = hub.source(c.req.param('name'));
      if (!source) return noDeployment(c);
      const html = hub.drills.report(source, c.req.param('id'));
      return html === null
        ? c.json<ApiError>({ error: `no drill report '${c.req.param('id')}'` }, 404)
        : c.html(html);
    })
    .get('/stream', (c) =>
      streamSSE(c, async (stream) => {
        const send = (message: PushMessage) => {
          void stream
            .writeSSE({ event: message.type, data: JSON.stringify(message) })
            .catch(() => undefined);
        };
        await stream.writeSSE({ event: 'hello', data: '{}', retry: 1000 });
        const unsubscribe = hub.subscribe(send);
        stream.onAbort(unsubscribe);
        while (!stream.aborted && !stream.closed) {
          await stream.sleep(HEARTBEAT_MS);
          await stream.writeSSE({ event: 'heartbeat', data: '{}' }).catch(() => undefined);
        }
        unsubscribe();
      }),
    );
}

export type ApiType = ReturnType<typeof createApi>;

/** The whole server: /api, and the built UI for every other path. */
export function createApp(hub: Hub, auth: AuthOptions, webRoot: string | null) {
  const app = new Hono();
  app.use('*', async (c, next) => {
    await next();
    // the printed URL carries the token once: never let it leak through a Referer header
    c.header('Referrer-Policy', 'no-referrer');
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('X-Frame-Options', 'DENY');
    c.header(
      'Content-Security-Policy',
      "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:",
    );
  });
  app.use('*', limitBody());
  app.onError((err, c) => {
    if (err instanceof HTTPException)
      return c.json<ApiError>({ error: err.message || 'bad request' }, err.status);
    return c.json<ApiError>({ error: `internal error: ${err.message}` }, 500);
  });
  app.get('/metrics', (c) => {
    if (!mayScrape(c, auth))
      return c.text(
        'a token is required to read /metrics (Authorization: Bearer TOKEN: the metrics token, or a dashboard token)\n',
        401,
      );
    c.header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8');
    c.header('Cache-Control', 'no-store');
    return c.body(renderMetrics(hub.metrics(), Date.now()));
  });
  app.route('/api', createApi(hub, auth));
  app.all('/api/*', (c) =>
    c.json<ApiError>({ error: `no API route ${c.req.method} ${c.req.path}` }, 404),
  );
  app.get('*', (c) => {
    const file = webRoot ? staticFile(webRoot, c.req.path) : null;
    if (!file) return c.text('The dashboard UI is not built; run `make build`.', 503);
    c.header('Content-Type', file.type);
    c.header('Cache-Control', file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    return c.body(new Uint8Array(file.body));
  });
  return app;
}

import { hc } from 'hono/client';
import type { ApiType } from '../../src/server/app.js';
import type {
  ActionRequest,
  ActionResult,
  AlertsState,
  ApiError,
  ClusterActionRequest,
  ClusterJob,
  ClusterJobStarted,
  DrillRecord,
  DrillRequest,
  DrillsState,
  NetworkFault,
  Session,
} from '../../src/server/contract.js';

const TOKEN_KEY = 'quorum.token';

/**
 * The token arrives once in the printed URL (`?token=`). It is kept in this tab's session
 * storage and removed from the address bar at once, so it does not stay in history or links.
 */
export function takeToken(): string | null {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    window.history.replaceState(null, '', url.toString());
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

export function forgetToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

export function saveToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

/** How long a read may take before the dashboard gives up and says so. */
const READ_TIMEOUT_MS = 10_000;
/**
 * How long an action may take: a switchover waits for the sentinels to promote a replica, and
 * `node start` for the process to answer (up to 10 s), so actions get longer than reads.
 */
const ACTION_TIMEOUT_MS = 60_000;

/** A failed call, as one sentence; its string form is the sentence alone, ready to show. */
export class RequestError extends Error {
  override name = 'RequestError';

  override toString(): string {
    return this.message;
  }
}

function duration(ms: number): string {
  return ms < 1000 ? `${String(ms)} ms` : `${String(Math.round(ms / 1000))} s`;
}

/** Why a fetch threw, in words: it timed out, or the server could not be reached. */
function reason(err: unknown, timeoutMs: number): string {
  if (err instanceof DOMException && err.name === 'TimeoutError')
    return `the server did not answer within ${duration(timeoutMs)}`;
  if (err instanceof DOMException && err.name === 'AbortError') return 'it was cancelled';
  // fetch rejects with a TypeError when no connection could be made at all
  return 'the server could not be reached (is quorum still running?)';
}

/** `fetch` that gives up after `timeoutMs`, and fails with one sentence. */
export function fetchWithin(timeoutMs: number): typeof fetch {
  return async (input, init) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    try {
      return await fetch(input, { ...init, signal });
    } catch (err) {
      throw new RequestError(reason(err, timeoutMs));
    }
  };
}

/**
 * The typed client: its calls are derived from the server's routes, so they cannot drift. Every
 * call gives up after `timeoutMs`.
 */
export function client(token: string, timeoutMs: number = READ_TIMEOUT_MS) {
  return hc<ApiType>('/api', {
    headers: { Authorization: `Bearer ${token}` },
    fetch: fetchWithin(timeoutMs),
  });
}

/** What `send` needs of an answer: the typed client's and `fetch`'s both have it. */
interface Answer {
  ok: boolean;
  status: number;
  json(): Promise<unknown>;
}

/** The sentence of a call that did not succeed: the server's own, else its status. */
async function failure(response: Answer, what: string): Promise<RequestError> {
  const body = (await response.json().catch(() => ({}))) as Partial<ApiError>;
  return new RequestError(
    body.error ?? `${what} failed: the server answered HTTP ${String(response.status)}`,
  );
}

/**
 * Sends one call and checks its status; a timeout, an unreachable server or a refusal becomes a
 * `RequestError` whose message names what was asked.
 */
async function send<R extends Answer>(what: string, call: () => Promise<R>): Promise<R> {
  let response: R;
  try {
    response = await call();
  } catch (err) {
    throw new RequestError(`${what} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!response.ok) throw await failure(response, what);
  return response;
}

/** The answer's body; a body that is not JSON (a proxy's error page) becomes a sentence. */
async function body<T>(what: string, response: Answer): Promise<T> {
  try {
    return (await response.json()) as T;
  } catch {
    throw new RequestError(`${what} failed: the server's answer was not JSON`);
  }
}

/** How trading the token went: a session, a refused token, or a server out of reach. */
export type LoginResult =
  | { kind: 'session'; session: Session }
  | { kind: 'refused'; error: string }
  | { kind: 'unreachable'; error: string };

/** Trades the token for the session cookie the event stream needs. */
export async function login(token: string): Promise<LoginResult> {
  try {
    const response = await client(token).session.$post();
    if (response.status === 401) return { kind: 'refused', error: 'That token was not accepted.' };
    if (!response.ok)
      return { kind: 'unreachable', error: (await failure(response, 'logging in')).message };
    return { kind: 'session', session: await body<Session>('logging in', response) };
  } catch (err) {
    return {
      kind: 'unreachable',
      error: `logging in failed: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
}

export async function act(
  token: string,
  deployment: string,
  request: ActionRequest,
): Promise<{ message: string; warning: boolean }> {
  const what = `the ${request.action}`;
  const response = await send(what, () =>
    client(token, ACTION_TIMEOUT_MS).deployments[':name'].actions.$post({
      param: { name: deployment },
      json: request,
    }),
  );
  const result = await body<Partial<ActionResult>>(what, response);
  return { message: result.message ?? 'done', warning: result.warning === true };
}

/** Cuts or slows links of a lab deployment; `replace` heals the active cut first. */
export async function injectNetworkFault(
  token: string,
  deployment: string,
  fault: NetworkFault,
  replace: boolean,
): Promise<string> {
  const what = 'the network fault';
  const response = await send(what, () =>
    client(token, ACTION_TIMEOUT_MS).deployments[':name'].network.$post({
      param: { name: deployment },
      json: { fault, replace },
    }),
  );
  return (await body<ActionResult>(what, response)).message;
}

/**
 * Starts a cluster job (reshard, rebalance, failover, add or remove a node); resolves to the job
 * as it starts. Its progress is pushed (`cluster-job`); a 409 means a job runs already.
 */
export async function clusterAction(
  token: string,
  deployment: string,
  request: ClusterActionRequest,
): Promise<ClusterJob> {
  const what = 'the cluster action';
  const response = await send(what, () =>
    client(token, ACTION_TIMEOUT_MS).deployments[':name'].cluster.$post({
      param: { name: deployment },
      json: request,
    }),
  );
  return (await body<ClusterJobStarted>(what, response)).job;
}

/** Asks the running cluster job to stop after the slot being moved. */
export async function cancelClusterJob(token: string, deployment: string): Promise<string> {
  const what = 'cancelling the cluster job';
  const response = await send(what, () =>
    client(token, ACTION_TIMEOUT_MS).deployments[':name'].cluster.current.$delete({
      param: { name: deployment },
    }),
  );
  return (await body<ActionResult>(what, response)).message;
}

/** Removes every network fault of a lab deployment. */
export async function healNetwork(token: string, deployment: string): Promise<string> {
  const what = 'healing the network';
  const response = await send(what, () =>
    client(token, ACTION_TIMEOUT_MS).deployments[':name'].network.$delete({
      param: { name: deployment },
    }),
  );
  return (await body<ActionResult>(what, response)).message;
}

export async function drillsState(token: string, deployment: string): Promise<DrillsState> {
  const what = 'loading the drills';
  const response = await send(what, () =>
    client(token).deployments[':name'].drills.$get({ param: { name: deployment } }),
  );
  return await body<DrillsState>(what, response);
}

export async function alertsState(token: string, deployment: string): Promise<AlertsState> {
  const what = 'loading the alerts';
  const response = await send(what, () =>
    client(token).deployments[':name'].alerts.$get({ param: { name: deployment } }),
  );
  return await body<AlertsState>(what, response);
}

export async function startDrill(
  token: string,
  deployment: string,
  request: DrillRequest,
): Promise<void> {
  await send('starting the drill', () =>
    client(token, ACTION_TIMEOUT_MS).deployments[':name'].drills.$post({
      param: { name: deployment },
      json: request,
    }),
  );
}

export async function stopDrill(token: string, deployment: string): Promise<void> {
  await send('stopping the drill', () =>
    client(token, ACTION_TIMEOUT_MS).deployments[':name'].drills.current.$delete({
      param: { name: deployment },
    }),
  );
}

export async function drillRecord(
  token: string,
  deployment: string,
  id: string,
): Promise<DrillRecord> {
  const what = 'loading the drill';
  const response = await send(what, () =>
    client(token).deployments[':name'].drills[':id'].$get({ param: { name: deployment, id } }),
  );
  return await body<DrillRecord>(what, response);
}

/** The stored HTML report; the session cookie authenticates it in a new tab. */
export function drillReportUrl(deployment: string, id: string): string {
  return `/api/deployments/${encodeURIComponent(deployment)}/drills/${encodeURIComponent(id)}/report`;
}

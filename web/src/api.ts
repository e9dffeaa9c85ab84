import { hc } from 'hono/client';
import type { ApiType } from '../../src/server/app.js';
import type { DrillRecord } from '../../src/drill/index.js';
import type {
  ActionRequest,
  ActionResult,
  AlertsState,
  ApiError,
  ClusterActionRequest,
  ClusterJob,
  ClusterJobStarted,
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

/** The typed client: its calls are derived from the server's routes, so they cannot drift. */
export function client(token: string) {
  return hc<ApiType>('/api', { headers: { Authorization: `Bearer ${token}` } });
}

export type Client = ReturnType<typeof client>;

/** Trades the token for the session cookie the event stream needs; null when it is refused. */
export async function login(token: string): Promise<Session | null> {
  const response = await client(token).session.$post();
  if (!response.ok) return null;
  return await response.json();
}

export async function act(
  token: string,
  deployment: string,
  request: ActionRequest,
): Promise<string> {
  const response = await client(token).deployments[':name'].actions.$post({
    param: { name: deployment },
    json: request,
  });
  const body = (await response.json()) as { message?: string } & Partial<ApiError>;
  if (!response.ok) throw new Error(body.error ?? `the action failed (HTTP ${response.status})`);
  return body.message ?? 'done';
}

async function failure(response: Response, what: string): Promise<Error> {
  const body = (await response.json().catch(() => ({}))) as Partial<ApiError>;
  return new Error(body.error ?? `${what} failed (HTTP ${String(response.status)})`);
}

/** Cuts or slows links of a lab deployment; `replace` heals the active cut first. */
export async function injectNetworkFault(
  token: string,
  deployment: string,
  fault: NetworkFault,
  replace: boolean,
): Promise<string> {
  const response = await client(token).deployments[':name'].network.$post({
    param: { name: deployment },
    json: { fault, replace },
  });
  if (!response.ok) throw await failure(response, 'the network fault');
  return ((await response.json()) as ActionResult).message;
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
  const response = await client(token).deployments[':name'].cluster.$post({
    param: { name: deployment },
    json: request,
  });
  if (!response.ok) throw await failure(response, 'the cluster action');
  return ((await response.json()) as ClusterJobStarted).job;
}

/** Asks the running cluster job to stop after the slot being moved. */
export async function cancelClusterJob(token: string, deployment: string): Promise<string> {
  const response = await client(token).deployments[':name'].cluster.current.$delete({
    param: { name: deployment },
  });
  if (!response.ok) throw await failure(response, 'cancelling the cluster job');
  return ((await response.json()) as ActionResult).message;
}

/** Removes every network fault of a lab deployment. */
export async function healNetwork(token: string, deployment: string): Promise<string> {
  const response = await client(token).deployments[':name'].network.$delete({
    param: { name: deployment },
  });
  if (!response.ok) throw await failure(response, 'healing the network');
  return ((await response.json()) as ActionResult).message;
}

export async function drillsState(token: string, deployment: string): Promise<DrillsState> {
  const response = await client(token).deployments[':name'].drills.$get({
    param: { name: deployment },
  });
  if (!response.ok) throw await failure(response, 'loading the drills');
  return (await response.json()) as DrillsState;
}

export async function alertsState(token: string, deployment: string): Promise<AlertsState> {
  const response = await client(token).deployments[':name'].alerts.$get({
    param: { name: deployment },
  });
  if (!response.ok) throw await failure(response, 'loading the alerts');
  return (await response.json()) as AlertsState;
}

export async function startDrill(
  token: string,
  deployment: string,
  request: DrillRequest,
): Promise<void> {
  const response = await client(token).deployments[':name'].drills.$post({
    param: { name: deployment },
    json: request,
  });
  if (!response.ok) throw await failure(response, 'starting the drill');
}

export async function stopDrill(token: string, deployment: string): Promise<void> {
  const response = await client(token).deployments[':name'].drills.current.$delete({
    param: { name: deployment },
  });
  if (!response.ok) throw await failure(response, 'stopping the drill');
}

export async function drillRecord(
  token: string,
  deployment: string,
  id: string,
): Promise<DrillRecord> {
  const response = await client(token).deployments[':name'].drills[':id'].$get({
    param: { name: deployment, id },
  });
  if (!response.ok) throw await failure(response, 'loading the drill');
  return (await response.json()) as DrillRecord;
}

/** The stored HTML report; the session cookie authenticates it in a new tab. */
export function drillReportUrl(deployment: string, id: string): string {
  return `/api/deployments/${encodeURIComponent(deployment)}/drills/${encodeURIComponent(id)}/report`;
}

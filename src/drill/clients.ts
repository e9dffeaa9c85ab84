/** The drill's ioredis clients of a Sentinel deployment, and what their errors mean for a write. */
import { Redis } from 'ioredis';
import type { Addr } from '../model/index.js';
import { formatAddr, parseAddr } from '../model/index.js';
import {
  accessOptions,
  HeardConnector,
  reconnectDelay,
  sentinelModeOptions,
} from '../redis/index.js';
import type { WriteOutcome } from './ledger.js';
import { TIMEOUT, within } from './writers.js';
import type { Access } from '../redis/index.js';

/** What the clients need of the workload's options. */
interface ClientOptions {
  sentinels: Addr[];
  masterName: string;
  access: Access;
  sentinelAccess: Access;
  /** Connect timeout, ms. */
  timeoutMs: number;
}

/**
 * What every drill client of ioredis sets. The Sentinel and proxy writers keep ioredis's resend
 * of a write in flight when its connection drops (applications get it, and it is what carries a
 * write held in a switchover's pause to the new master); a refusal that comes after such a drop
 * may answer the resend while the first send was applied, so it counts as indeterminate
 * (`Writers.attempt`). A cluster client does not resend: a reply belongs to its one send.
 */
const DRILL_CLIENT_OPTIONS = {
  connectionName: 'quorum-drill',
} as const;

/** A cluster client's redirections are its own: a write is sent once, its reply is its answer. */
export const CLUSTER_CLIENT_OPTIONS = {
  ...DRILL_CLIENT_OPTIONS,
  autoResendUnfulfilledCommands: false,
} as const;

/** A client of one fixed address (quorum's proxy) that reconnects there at once when dropped. */
export function plainClient(addr: Addr, options: ClientOptions): Redis {
  const hp = parseAddr(addr);
  const client = new Redis({
    host: hp?.host ?? '127.0.0.1',
    port: hp?.port ?? 0,
    ...accessOptions(options.access),
    Connector: HeardConnector,
    connectTimeout: options.timeoutMs,
    enableReadyCheck: false,
    maxRetriesPerRequest: 1,
    retryStrategy: reconnectDelay,
    ...DRILL_CLIENT_OPTIONS,
  });
  client.on('error', () => undefined);
  return client;
}

/** A plain connection to one node, as a client gets through a TCP load balancer; null if it fails. */
export async function directClient(addr: Addr, options: ClientOptions): Promise<Redis | null> {
  const hp = parseAddr(addr);
  if (!hp) return null;
  const client = new Redis({
    host: hp.host,
    port: hp.port,
    ...accessOptions(options.access),
    Connector: HeardConnector,
    connectTimeout: options.timeoutMs,
    lazyConnect: true,
    enableOfflineQueue: false,
    enableReadyCheck: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    ...DRILL_CLIENT_OPTIONS,
  });
  client.on('error', () => undefined);
  const connected = await within(client.connect(), options.timeoutMs).catch(() => TIMEOUT);
  if (connected === TIMEOUT || client.status !== 'ready') {
    client.disconnect();
    return null;
  }
  return client;
}

/** Every client finds its node the way applications do: by asking the sentinels (ioredis). */
export function sentinelClient(options: ClientOptions, role: 'master' | 'slave'): Redis {
  return new Redis({
    sentinels: options.sentinels.flatMap((addr) => {
      const hp = parseAddr(addr);
      return hp ? [{ host: hp.host, port: hp.port }] : [];
    }),
    name: options.masterName,
    role,
    ...sentinelModeOptions(options.access, options.sentinelAccess),
    connectTimeout: options.timeoutMs,
    enableReadyCheck: false,
    maxRetriesPerRequest: 1,
    retryStrategy: reconnectDelay,
    sentinelRetryStrategy: reconnectDelay,
    ...DRILL_CLIENT_OPTIONS,
  });
}

/** The address the client is connected to now (the node a write goes to), when connected. */
export function peerOf(client: Redis): string | null {
  const stream = client.stream as { remoteAddress?: string; remotePort?: number } | undefined;
  return stream?.remoteAddress && stream.remotePort
    ? formatAddr(stream.remoteAddress, stream.remotePort)
    : null;
}

/**
 * Resolves when `client`'s connection closes: a write in flight then may have been applied, and
 * what comes after (ioredis sends it again on the next connection) only answers the resend.
 */
export function closedUnder(client: Redis): { closed: Promise<void>; forget: () => void } {
  let forget: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => {
    const onClose = () => resolve();
    client.once('close', onClose);
    forget = () => client.off('close', onClose);
  });
  return { closed, forget };
}

/**
 * Classifies a failed write: a reply from the server (an error such as READONLY) or a command
 * that was never sent means it was not applied; anything else (a timeout, a connection lost
 * after sending, retries given up) may have been applied.
 */
export function outcomeOf(err: unknown): WriteOutcome {
  if (err instanceof Error && err.name === 'ReplyError') return 'fail';
  if (err instanceof Error && /Stream isn't writeable|enableOfflineQueue/.test(err.message))
    return 'fail';
  return 'indeterminate';
}

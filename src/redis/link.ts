import { Redis } from 'ioredis';
import type { Addr } from '../model/index.js';
import { parseAddr } from '../model/index.js';
import { describeRedisError, RedisCallError } from './errors.js';

export interface LinkOptions {
  /**
   * Time allowed for connecting and for each command.
   * @default 1000
   */
  timeoutMs: number;
  /** Password for AUTH; null for none. @default null */
  password: string | null;
  /** Shown in CLIENT LIST on the server. @default 'quorum' */
  connectionName: string;
}

export const DEFAULT_LINK_OPTIONS: LinkOptions = {
  timeoutMs: 1000,
  password: null,
  connectionName: 'quorum',
};

export type LinkStatus = 'connecting' | 'ready' | 'down' | 'closed';

/** How often a call waiting for a connection looks at the client again. */
const READY_TICK_MS = 25;

/** ioredis refusing to send because its connection is not writable (not a reply from Redis). */
function isNotWritable(err: unknown): boolean {
  return err instanceof Error && /Stream isn't writeable/.test(err.message);
}

/**
 * Reconnect at once the first time (a server that closed our connection, as Sentinel does to
 * every client of a node it reconfigures, is usually still there), then with exponential backoff
 * capped at 2 s, plus jitter so many links do not align.
 */
export function reconnectDelay(attempt: number): number {
  if (attempt <= 1) return Math.floor(Math.random() * 10);
  return Math.min(50 * 2 ** Math.min(attempt, 6), 2000) + Math.floor(Math.random() * 100);
}

function connectionOptions(addr: Addr, options: LinkOptions) {
  const hp = parseAddr(addr);
  if (!hp) throw new RedisCallError(`${addr} is not a host:port address`, 'unreachable');
  return {
    host: hp.host,
    port: hp.port,
    password: options.password ?? undefined,
    connectionName: options.connectionName,
    connectTimeout: options.timeoutMs,
    lazyConnect: true,
    enableReadyCheck: false,
    // TCP keepalive after 10 s idle: a subscription sends nothing, and without it a half-open
    // connection (a partitioned or rebooted host) would go unnoticed for hours
    keepAlive: 10_000,
    maxRetriesPerRequest: 1,
    retryStrategy: reconnectDelay,
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * One command connection to one Redis server or sentinel. Every call has a timeout; while the
 * server is unreachable, calls fail at once with the last connection error (a sentence), and the
 * link keeps reconnecting in the background.
 */
export class RedisLink {
  private readonly redis: Redis;
  private status: LinkStatus = 'connecting';
  private lastError: RedisCallError | null = null;
  private authError: RedisCallError | null = null;
  private readonly waiters = new Set<() => void>();

  constructor(
    readonly addr: Addr,
    private readonly options: LinkOptions = DEFAULT_LINK_OPTIONS,
  ) {
    this.redis = new Redis({ ...connectionOptions(addr, options), enableOfflineQueue: false });
    this.redis.on('ready', () => {
      this.setStatus('ready');
    });
    this.redis.on('error', (err: unknown) => {
      const described = describeRedisError(addr, err);
      if (described.reason === 'auth') this.authError = described;
      this.lastError = described;
      if (this.status !== 'closed') this.setStatus('down');
    });
    // a closed connection is not a down server: Sentinel kills clients of every node it
    // reconfigures (CLIENT KILL TYPE normal). Only a failed reconnect (an error) means down.
    this.redis.on('close', () => {
      if (this.status === 'ready') this.setStatus('connecting');
    });
    this.redis.connect().catch((err: unknown) => {
      this.lastError = describeRedisError(addr, err);
      if (this.status !== 'closed') this.setStatus('down');
    });
  }

  private setStatus(next: LinkStatus): void {
    if (next === this.status) return;
    if (next === 'ready') {
      this.authError = null;
      this.lastError = null;
    }
    this.status = next;
    for (const wake of this.waiters) wake();
  }

  /**
   * Resolves once the client is ready. Readiness is read from the client itself, never from a
   * copy kept here: a copy can drift (a connection can close between two events), and a link
   * that believes it is ready while the client is not would fail every call until restarted.
   * While the last connection attempt failed, it fails at once with that attempt's reason.
   */
  private async whenReady(ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    for (;;) {
      if (this.redis.status === 'ready') {
        if (this.status !== 'ready') this.setStatus('ready');
        return;
      }
      if (this.status === 'closed')
        throw new RedisCallError(`${this.addr}: the link is closed`, 'unreachable');
      if (this.status === 'down')
        throw this.lastError ?? new RedisCallError(`${this.addr} is unreachable`, 'unreachable');
      if (this.status === 'ready') this.setStatus('connecting');
      const left = deadline - Date.now();
      if (left <= 0)
        throw new RedisCallError(
          `${this.addr} did not answer within ${this.options.timeoutMs} ms`,
          'timeout',
        );
      // woken by the client's events; the short tick also covers any state it changed silently
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(left, READY_TICK_MS));
        const waiters = this.waiters;
        function done() {
          clearTimeout(timer);
          waiters.delete(done);
          resolve();
        }
        waiters.add(done);
      });
    }
  }

  /** Sends one command; rejects with a RedisCallError whose message is one sentence. */
  async call(command: string, ...args: (string | number)[]): Promise<unknown> {
    const started = Date.now();
    const { timeoutMs } = this.options;
    const send = async () => {
      await this.whenReady(Math.max(1, timeoutMs - (Date.now() - started)));
      const left = Math.max(1, timeoutMs - (Date.now() - started));
      return withTimeout(
        this.redis.call(command, ...args),
        left,
        () =>
          new RedisCallError(
            `${this.addr} did not answer ${command.toUpperCase()} within ${timeoutMs} ms`,
            'timeout',
          ),
      );
    };
    try {
      try {
        return await send();
      } catch (err) {
        // the connection went away between the readiness check and the write: once more
        if (!isNotWritable(err) || Date.now() - started >= timeoutMs) throw err;
        return await send();
      }
    } catch (err) {
      if (this.authError) throw this.authError;
      const described = describeRedisError(this.addr, err);
      if (described.reason === 'unreachable' && this.lastError) throw this.lastError;
      throw described;
    }
  }

  async close(): Promise<void> {
    this.setStatus('closed');
    this.redis.disconnect();
    await Promise.resolve();
  }
}

export type MessageHandler = (channel: string, message: string) => void;

/**
 * A Pub/Sub connection that pattern-subscribes and re-subscribes after every reconnect (the
 * client does this itself). Used for a sentinel's event channels.
 */
export class Subscription {
  private readonly redis: Redis;

  constructor(
    readonly addr: Addr,
    pattern: string,
    onMessage: MessageHandler,
    options: LinkOptions = DEFAULT_LINK_OPTIONS,
  ) {
    // subscribe on every (re)connect ourselves: a subscription queued while the server is not up
    // yet would be dropped after the first failed reconnect, and never restored
    this.redis = new Redis({
      ...connectionOptions(addr, options),
      enableOfflineQueue: false,
      autoResubscribe: false,
    });
    // errors show up as the sentinel being down in the poll; here they only must not go unhandled
    this.redis.on('error', () => undefined);
    this.redis.on('ready', () => {
      this.redis.psubscribe(pattern).catch(() => undefined);
    });
    this.redis.on('pmessage', (_pattern: string, channel: string, message: string) =>
      onMessage(channel, message),
    );
    this.redis.connect().catch(() => undefined);
  }

  close(): void {
    this.redis.disconnect();
  }
}

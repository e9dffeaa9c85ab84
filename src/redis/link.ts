import { Redis } from 'ioredis';
import type { Addr, LifecycleSnapshot, LinkState, Move } from '../model/index.js';
import { Lifecycle, LINK_MOVES, parseAddr } from '../model/index.js';
import type { Access } from './access.js';
import { accessOptions, OPEN_ACCESS } from './access.js';
import { certificateOf, isExpiredCertificate } from './certificate.js';
import { HeardConnector } from './connector.js';
import { describeRedisError, RedisCallError, tlsConnectTimeout } from './errors.js';

export interface LinkOptions {
  /**
   * Time allowed for connecting and for each command.
   * @default 1000
   */
  timeoutMs: number;
  /** Who to be and whether to speak TLS. @default OPEN_ACCESS */
  access: Access;
  /** Shown in CLIENT LIST on the server. @default 'quorum' */
  connectionName: string;
}

export const DEFAULT_LINK_OPTIONS: LinkOptions = {
  timeoutMs: 1000,
  access: OPEN_ACCESS,
  connectionName: 'quorum',
};

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

/** ioredis options shared by command links and subscriptions. */
export function connectionOptions(addr: Addr, options: LinkOptions) {
  const hp = parseAddr(addr);
  if (!hp) throw new RedisCallError(`${addr} is not a host:port address`, 'unreachable');
  return {
    host: hp.host,
    port: hp.port,
    ...accessOptions(options.access),
    // no connectionName and no CLIENT SETINFO during the handshake: ioredis becomes ready once
    // their replies are in, even when the connection closed meanwhile (Sentinel's CLIENT KILL),
    // and then stays "ready" on a dead socket without ever reconnecting. Named after ready instead.
    disableClientInfo: true,
    connectTimeout: options.timeoutMs,
    lazyConnect: true,
    enableReadyCheck: false,
    // TCP keepalive after 10 s idle: a subscription sends nothing, and without it a half-open
    // connection (a partitioned or rebooted host) would go unnoticed for hours
    keepAlive: 10_000,
    maxRetriesPerRequest: 1,
    retryStrategy: reconnectDelay,
    Connector: HeardConnector,
  };
}

/** `promise`, or `onTimeout()`'s error once `ms` pass first. */
export function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  onTimeout: () => Error,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Names a fresh connection for CLIENT LIST; a failure only leaves it unnamed. */
export function nameConnection(redis: Redis, options: LinkOptions): void {
  withTimeout(
    redis.call('CLIENT', 'SETNAME', options.connectionName),
    options.timeoutMs,
    () => new Error('CLIENT SETNAME timed out'),
  ).catch(() => undefined);
}

/**
 * One command connection to one Redis server or sentinel. Every call has a timeout; while the
 * server is unreachable, calls fail at once with the last connection error (a sentence), and the
 * link keeps reconnecting in the background. Its state (`LinkState`) follows the connection's
 * own events; `snapshot()` shows it.
 */
export class RedisLink {
  private readonly redis: Redis;
  private readonly lifecycle: Lifecycle<LinkState>;
  /** Why the last connection attempt failed; null once ready again. */
  private lastFailure: RedisCallError | null = null;
  /** Reading an expired certificate's date, for the sentence the failure will carry. */
  private probing = false;
  /** Whether a connection was ever ready: a reset after that is no sign of a TLS port. */
  private everReady = false;

  constructor(
    readonly addr: Addr,
    private readonly options: LinkOptions = DEFAULT_LINK_OPTIONS,
  ) {
    this.lifecycle = new Lifecycle(`link ${addr}`, LINK_MOVES, 'connecting');
    this.redis = new Redis({ ...connectionOptions(addr, options), enableOfflineQueue: false });
    this.redis.on('ready', () => {
      if (this.state === 'closed') return;
      void this.confirm();
    });
    this.redis.on('error', (err: unknown) => {
      if (isExpiredCertificate(err) && this.options.access.tls) {
        // the date makes the sentence; the link stays connecting until the probe tells it
        if (this.probing) return;
        this.probing = true;
        const { tls } = this.options.access;
        void certificateOf(addr, tls, Math.min(this.options.timeoutMs, 1000)).then((cert) => {
          this.probing = false;
          // a certificate renewed meanwhile: the link connected, and nothing is wrong now
          if (this.state === 'ready' || this.state === 'closed') return;
          const expiredOn = cert ? cert.validTo.toISOString().slice(0, 10) : null;
          this.failed(describeRedisError(addr, err, { access: this.options.access, expiredOn }));
        });
        return;
      }
      const connected = this.everReady;
      this.failed(describeRedisError(addr, err, { access: this.options.access, connected }));
    });
    this.redis.on('close', () => {
      // a closed connection is not a down server: Sentinel kills clients of every node it
      // reconfigures (CLIENT KILL TYPE normal), and the server is usually still there. A close
      // before ready is an attempt that failed.
      if (this.state === 'ready') this.lifecycle.setState('reconnecting');
      else if ((this.state === 'connecting' || this.state === 'reconnecting') && !this.probing)
        this.failed(new RedisCallError(`${addr} closed the connection`, 'unreachable'));
    });
    // ioredis ends a client only when asked to, or when it cannot even create a socket
    this.redis.on('end', () => {
      this.failed(new RedisCallError(`${addr}: the connection ended`, 'unreachable'));
    });
    // every failure also arrives as the events above; this only must not go unhandled
    this.redis.connect().catch(() => undefined);
  }

  get state(): LinkState {
    return this.lifecycle.state;
  }

  /** The state, since when, and the last failure while not ready. */
  snapshot(): LifecycleSnapshot<LinkState> {
    return this.lifecycle.snapshot();
  }

  /** Calls `listener` on every move (`from -> to`) until the returned function is called. */
  onChange(listener: (move: Move<LinkState>) => void): () => void {
    return this.lifecycle.onChange(listener);
  }

  /**
   * The first round trip of a fresh connection: it names the connection and shows that the
   * other end speaks Redis before any call is sent. Without it, a call pipelined behind the
   * name to a server that is not Redis (an HTTP server) could meet a reset instead of the reply
   * that says what is wrong. A server that refuses the name (an ACL user without CLIENT) or is
   * slow to answer it still serves calls, which have timeouts of their own.
   */
  private async confirm(): Promise<void> {
    try {
      await withTimeout(
        this.redis.call('CLIENT', 'SETNAME', this.options.connectionName),
        this.options.timeoutMs,
        () => new RedisCallError(`${this.addr} did not answer in time`, 'timeout'),
      );
    } catch (err) {
      const described = describeRedisError(this.addr, err, { access: this.options.access });
      const served = ['reply', 'timeout', 'denied'].includes(described.reason);
      if (!served) {
        this.failed(described);
        return;
      }
    }
    if (this.state === 'closed' || this.redis.status !== 'ready') return;
    this.lastFailure = null;
    this.everReady = true;
    this.lifecycle.clearError();
    this.lifecycle.setState('ready');
  }

  private failed(reason: RedisCallError): void {
    if (this.state === 'closed') return;
    this.lastFailure = reason;
    this.lifecycle.fail(reason.message);
    this.lifecycle.setState('down');
  }

  /**
   * Resolves once the connection is ready, woken by its events. The client's own status is
   * checked too: ioredis changes it at once but emits the event a tick later, so for a moment
   * the link can still say ready while the connection is gone; the event that follows wakes us.
   * While the last connection attempt failed, it fails at once with that attempt's reason.
   */
  private async whenReady(ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    for (;;) {
      if (this.state === 'ready' && this.redis.status === 'ready') return;
      if (this.state === 'closed')
        throw new RedisCallError(`${this.addr}: the link is closed`, 'unreachable');
      if (this.state === 'down')
        throw this.lastFailure ?? new RedisCallError(`${this.addr} is unreachable`, 'unreachable');
      const left = deadline - Date.now();
      if (left <= 0 || !(await this.lifecycle.nextMove(left))) {
        if (this.state === 'connecting' && this.options.access.tls)
          throw tlsConnectTimeout(this.addr);
        throw new RedisCallError(
          `${this.addr} did not answer within ${this.options.timeoutMs} ms`,
          'timeout',
        );
      }
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
      const described = describeRedisError(this.addr, err, { access: this.options.access });
      if (this.lastFailure?.reason === 'auth' || this.lastFailure?.reason === 'tls')
        throw this.lastFailure;
      if (described.reason === 'unreachable' && this.lastFailure) throw this.lastFailure;
      throw described;
    }
  }

  async close(): Promise<void> {
    this.lifecycle.setState('closed');
    this.redis.disconnect();
    await Promise.resolve();
  }
}

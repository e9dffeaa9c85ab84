import { Redis } from 'ioredis';
import type { Addr, LifecycleSnapshot, Move, SubscriptionState } from '../model/index.js';
import { Lifecycle, SUBSCRIPTION_MOVES } from '../model/index.js';
import { describeRedisError, RedisCallError } from './errors.js';
import type { LinkOptions } from './link.js';
import { connectionOptions, DEFAULT_LINK_OPTIONS, nameConnection, withTimeout } from './link.js';

/** Time before a subscription refused or unanswered on a ready connection is tried again. */
const RESUBSCRIBE_AFTER_MS = 1000;

export type MessageHandler = (channel: string, message: string) => void;

/**
 * A Pub/Sub connection that pattern-subscribes, and subscribes again after every reconnect.
 * Used for a sentinel's event channels. Its state (`SubscriptionState`) says whether messages
 * arrive now: `live` only once the server acknowledged the subscription on this connection.
 */
export class Subscription {
  private readonly redis: Redis;
  private readonly lifecycle: Lifecycle<SubscriptionState>;
  /** Counts connections, so an acknowledgement that arrives after its connection closed is ignored. */
  private connection = 0;
  private retry: NodeJS.Timeout | null = null;

  constructor(
    readonly addr: Addr,
    pattern: string,
    onMessage: MessageHandler,
    options: LinkOptions = DEFAULT_LINK_OPTIONS,
  ) {
    this.lifecycle = new Lifecycle(`subscription ${addr}`, SUBSCRIPTION_MOVES, 'subscribing');
    // subscribe on every (re)connect ourselves: a subscription queued while the server is not up
    // yet would be dropped after the first failed reconnect, and never restored
    this.redis = new Redis({
      ...connectionOptions(addr, options),
      enableOfflineQueue: false,
      autoResubscribe: false,
    });
    this.redis.on('error', (err: unknown) => {
      if (this.state !== 'closed')
        this.lifecycle.fail(
          describeRedisError(addr, err, { access: options.access, connected: true }).message,
        );
    });
    this.redis.on('ready', () => {
      const connection = this.connection;
      // before PSUBSCRIBE: a subscribed connection takes no other command
      nameConnection(this.redis, options);
      withTimeout(
        this.redis.psubscribe(pattern),
        options.timeoutMs,
        () =>
          new RedisCallError(
            `${addr} did not answer PSUBSCRIBE within ${options.timeoutMs} ms`,
            'timeout',
          ),
      ).then(
        () => {
          if (connection !== this.connection || this.state === 'closed') return;
          this.lifecycle.clearError();
          this.lifecycle.setState('live');
        },
        (err: unknown) => {
          if (connection !== this.connection || this.state === 'closed') return;
          this.lifecycle.fail(
            describeRedisError(addr, err, { access: options.access, connected: true }).message,
          );
          // a fresh connection subscribes again; waiting first, since ioredis reconnects at once
          this.retry = setTimeout(() => {
            this.retry = null;
            this.redis.disconnect(true);
          }, RESUBSCRIBE_AFTER_MS);
        },
      );
    });
    this.redis.on('close', () => {
      this.connection += 1;
      if (this.retry) clearTimeout(this.retry);
      this.retry = null;
      if (this.state === 'live') this.lifecycle.setState('resubscribing');
    });
    this.redis.on('pmessage', (_pattern: string, channel: string, message: string) =>
      onMessage(channel, message),
    );
    this.redis.connect().catch(() => undefined);
  }

  get state(): SubscriptionState {
    return this.lifecycle.state;
  }

  /** The state, since when, and the last failure while not live. */
  snapshot(): LifecycleSnapshot<SubscriptionState> {
    return this.lifecycle.snapshot();
  }

  /** Calls `listener` on every move (`from -> to`) until the returned function is called. */
  onChange(listener: (move: Move<SubscriptionState>) => void): () => void {
    return this.lifecycle.onChange(listener);
  }

  close(): void {
    this.lifecycle.setState('closed');
    if (this.retry) clearTimeout(this.retry);
    this.redis.disconnect();
  }
}

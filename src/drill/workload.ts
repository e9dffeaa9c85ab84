import { Redis } from 'ioredis';
import type { Addr } from '../model/index.js';
import { formatAddr, parseAddr, UserError } from '../model/index.js';
import { reconnectDelay } from '../redis/index.js';
import type { WriteOutcome } from './ledger.js';
import { Ledger } from './ledger.js';
import { RoleCheckRouter } from './role-check.js';

/**
 * How the writers find the master. `sentinel`: ask the sentinels, as Sentinel-aware client
 * libraries do (ioredis). `role-check`: send writes to whichever node passes a `role:master`
 * health check, as HAProxy in front of Sentinel does. `proxy`: plain clients of quorum's proxy
 * (its write port for writes, its read port for reads).
 */
export type Via = 'sentinel' | 'role-check' | 'proxy';
export const VIAS: readonly Via[] = ['sentinel', 'role-check', 'proxy'];

export interface WorkloadOptions {
  sentinels: Addr[];
  masterName: string;
  password: string | null;
  sentinelPassword: string | null;
  /** Concurrent writers, each with its own connection. @default 4 */
  writers: number;
  /** Writes per second, all writers together. @default 1000 */
  rate: number;
  /** Readers (from replicas), each with its own connection. @default 1 */
  readers: number;
  /** A write or read with no answer within this long counts as indeterminate. @default 1000 */
  timeoutMs: number;
  /** The set all values go into: `drill:<run id>`. */
  key: string;
  /** How writers find the master. @default 'sentinel' */
  via: Via;
  /** The data nodes, for `via: 'role-check'`. */
  nodes: Addr[];
  /** quorum's proxy, for `via: 'proxy'`. */
  proxy: { write: Addr; read: Addr } | null;
}

export const DEFAULT_WORKLOAD = { writers: 4, rate: 1000, readers: 1, timeoutMs: 1000 } as const;

/** How long a role-check writer keeps one connection before it connects through the balancer again. */
export const CONNECTION_LIFETIME_MS = 1000;

const TIMEOUT = Symbol('timeout');

function within<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMEOUT> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<typeof TIMEOUT>((resolve) => (timer = setTimeout(() => resolve(TIMEOUT), ms))),
  ]).finally(() => clearTimeout(timer));
}

/** A client of one fixed address (quorum's proxy) that reconnects there at once when dropped. */
function plainClient(addr: Addr, options: WorkloadOptions): Redis {
  const hp = parseAddr(addr);
  const client = new Redis({
    host: hp?.host ?? '127.0.0.1',
    port: hp?.port ?? 0,
    password: options.password ?? undefined,
    connectTimeout: options.timeoutMs,
    enableReadyCheck: false,
    maxRetriesPerRequest: 1,
    retryStrategy: reconnectDelay,
    connectionName: 'quorum-drill',
  });
  client.on('error', () => undefined);
  return client;
}

/** A plain connection to one node, as a client gets through a TCP load balancer; null if it fails. */
async function directClient(addr: Addr, options: WorkloadOptions): Promise<Redis | null> {
  const hp = parseAddr(addr);
  if (!hp) return null;
  const client = new Redis({
    host: hp.host,
    port: hp.port,
    password: options.password ?? undefined,
    connectTimeout: options.timeoutMs,
    lazyConnect: true,
    enableOfflineQueue: false,
    enableReadyCheck: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectionName: 'quorum-drill',
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
function sentinelClient(options: WorkloadOptions, role: 'master' | 'slave'): Redis {
  return new Redis({
    sentinels: options.sentinels.flatMap((addr) => {
      const hp = parseAddr(addr);
      return hp ? [{ host: hp.host, port: hp.port }] : [];
    }),
    name: options.masterName,
    role,
    password: options.password ?? undefined,
    sentinelPassword: options.sentinelPassword ?? undefined,
    connectTimeout: options.timeoutMs,
    enableReadyCheck: false,
    maxRetriesPerRequest: 1,
    retryStrategy: reconnectDelay,
    sentinelRetryStrategy: reconnectDelay,
    connectionName: 'quorum-drill',
  });
}

/** The address the client is connected to now (the node a write goes to), when connected. */
function peerOf(client: Redis): string | null {
  const stream = client.stream as { remoteAddress?: string; remotePort?: number } | undefined;
  return stream?.remoteAddress && stream.remotePort
    ? formatAddr(stream.remoteAddress, stream.remotePort)
    : null;
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

/**
 * Writers that add unique values to one set at a steady rate, and readers that read from
 * replicas, each recording every outcome in the ledger. Writes are sequential per writer, as in
 * an application: a writer waiting on a dead master sends nothing else meanwhile.
 */
export class Workload {
  readonly ledger = new Ledger();
  private readonly clients: Redis[] = [];
  private running = false;
  private loops: Promise<void>[] = [];
  private router: RoleCheckRouter | null = null;
  private stopped = false;

  constructor(private readonly options: WorkloadOptions) {}

  async start(): Promise<void> {
    this.running = true;
    const { writers, readers, rate } = this.options;
    const interval = (1000 * writers) / rate;
    if (this.options.via === 'role-check') {
      const router = new RoleCheckRouter(
        this.options.nodes,
        this.options.password,
        this.options.timeoutMs,
      );
      this.router = router;
      await router.start();
      for (let i = 0; i < writers; i++) this.loops.push(this.routedWriteLoop(router, i, interval));
    } else if (this.options.via === 'proxy') {
      const proxy = this.options.proxy;
      if (!proxy) throw new UserError('this deployment runs no proxy to write through');
      for (let i = 0; i < writers; i++) {
        const client = plainClient(proxy.write, this.options);
        this.clients.push(client);
        this.loops.push(this.writeLoop(client, i, interval));
      }
    } else {
      for (let i = 0; i < writers; i++) {
        const client = sentinelClient(this.options, 'master');
        client.on('error', () => undefined);
        this.clients.push(client);
        this.loops.push(this.writeLoop(client, i, interval));
      }
    }
    for (let i = 0; i < readers; i++) {
      const client =
        this.options.via === 'proxy' && this.options.proxy
          ? plainClient(this.options.proxy.read, this.options)
          : sentinelClient(this.options, 'slave');
      client.on('error', () => undefined);
      this.clients.push(client);
      this.loops.push(this.readLoop(client, Math.max(interval, 5)));
    }
  }

  /** Read through a method: `stop()` changes it while a loop awaits. */
  private isRunning(): boolean {
    return this.running;
  }

  private async pace(nextAt: number): Promise<void> {
    const wait = nextAt - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }

  private async writeLoop(client: Redis, writer: number, interval: number): Promise<void> {
    let seq = 0;
    let nextAt = Date.now() + Math.random() * interval;
    while (this.running) {
      await this.pace(nextAt);
      if (!this.isRunning()) break;
      nextAt = Math.max(nextAt + interval, Date.now());
      const value = `${writer}:${seq++}`;
      const startMs = Date.now();
      const node = peerOf(client);
      this.record(value, writer, startMs, await this.send(client, value), node);
    }
  }

  /** One write's outcome, ended now, with the node it went to when known. */
  private record(
    value: string,
    writer: number,
    startMs: number,
    outcome: WriteOutcome,
    node: string | null,
  ): void {
    this.ledger.write({
      value,
      writer,
      startMs,
      endMs: Date.now(),
      outcome,
      ...(node ? { node } : {}),
    });
  }

  private async send(client: Redis, value: string): Promise<WriteOutcome> {
    try {
      const reply = await within(client.sadd(this.options.key, value), this.options.timeoutMs);
      return reply === TIMEOUT ? 'indeterminate' : 'ack';
    } catch (err) {
      return outcomeOf(err);
    }
  }

  /**
   * A writer behind a role-check load balancer, with short-lived connections as request-scoped
   * clients have (PHP, serverless, pools with a max lifetime): it connects through the balancer,
   * keeps the connection for up to CONNECTION_LIFETIME_MS while writes succeed, and connects again
   * after an error or a timeout. With no server up, the balancer refuses: the write fails, unsent.
   */
  private async routedWriteLoop(
    router: RoleCheckRouter,
    writer: number,
    interval: number,
  ): Promise<void> {
    let seq = 0;
    let nextAt = Date.now() + Math.random() * interval;
    let client: Redis | null = null;
    let connectedAt = 0;
    while (this.running) {
      await this.pace(nextAt);
      if (!this.isRunning()) break;
      nextAt = Math.max(nextAt + interval, Date.now());
      const value = `${writer}:${seq++}`;
      const startMs = Date.now();
      if (client && startMs - connectedAt > CONNECTION_LIFETIME_MS) {
        client.disconnect();
        client = null;
      }
      if (!client) {
        const addr = router.pick();
        client = addr === null ? null : await directClient(addr, this.options);
        connectedAt = Date.now();
      }
      const node = client ? peerOf(client) : null;
      const outcome: WriteOutcome = client ? await this.send(client, value) : 'fail';
      if (outcome !== 'ack' && client) {
        client.disconnect();
        client = null;
      }
      this.record(value, writer, startMs, outcome, node);
    }
    client?.disconnect();
  }

  private async readLoop(client: Redis, interval: number): Promise<void> {
    let nextAt = Date.now();
    while (this.running) {
      await this.pace(nextAt);
      if (!this.isRunning()) break;
      nextAt = Math.max(nextAt + interval, Date.now());
      const startMs = Date.now();
      let ok: boolean;
      try {
        ok = (await within(client.scard(this.options.key), this.options.timeoutMs)) !== TIMEOUT;
      } catch {
        ok = false;
      }
      this.ledger.read({ startMs, endMs: Date.now(), ok });
    }
  }

  /** Stops every loop (the last writes finish or time out) and closes every connection; once. */
  async stop(): Promise<Ledger> {
    if (this.stopped) return this.ledger;
    this.stopped = true;
    this.running = false;
    await Promise.all(this.loops);
    for (const client of this.clients) client.disconnect();
    await this.router?.stop();
    return this.ledger;
  }
}

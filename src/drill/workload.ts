import { Redis } from 'ioredis';
import type { Addr } from '../model/index.js';
import { parseAddr } from '../model/index.js';
import { reconnectDelay } from '../redis/index.js';
import type { WriteOutcome } from './ledger.js';
import { Ledger } from './ledger.js';

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
}

export const DEFAULT_WORKLOAD = { writers: 4, rate: 1000, readers: 1, timeoutMs: 1000 } as const;

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

const TIMEOUT = Symbol('timeout');

function within<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMEOUT> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<typeof TIMEOUT>((resolve) => (timer = setTimeout(() => resolve(TIMEOUT), ms))),
  ]).finally(() => clearTimeout(timer));
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

  constructor(private readonly options: WorkloadOptions) {}

  start(): void {
    this.running = true;
    const { writers, readers, rate } = this.options;
    const interval = (1000 * writers) / rate;
    for (let i = 0; i < writers; i++) {
      const client = sentinelClient(this.options, 'master');
      client.on('error', () => undefined);
      this.clients.push(client);
      this.loops.push(this.writeLoop(client, i, interval));
    }
    for (let i = 0; i < readers; i++) {
      const client = sentinelClient(this.options, 'slave');
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
      let outcome: WriteOutcome;
      try {
        const reply = await within(client.sadd(this.options.key, value), this.options.timeoutMs);
        outcome = reply === TIMEOUT ? 'indeterminate' : 'ack';
      } catch (err) {
        outcome = outcomeOf(err);
      }
      this.ledger.write({ value, writer, startMs, endMs: Date.now(), outcome });
    }
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

  /** Stops every loop (the last writes finish or time out) and closes every connection. */
  async stop(): Promise<Ledger> {
    this.running = false;
    await Promise.all(this.loops);
    for (const client of this.clients) client.disconnect();
    return this.ledger;
  }
}

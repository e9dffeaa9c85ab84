import { Redis } from 'ioredis';
import { sleep } from './setup.js';

/** After a SIGKILL, replies the killed process sent may still be on their way for this long. */
export const KILL_SETTLE_MS = 100;

/** A stretch without an acknowledged write: from the last ack before it to the first after. */
export interface Gap {
  start: number;
  end: number;
}

/**
 * When writes came back after a kill at `killedAt` (pure): the end of the gap that spans the
 * kill (`KILL_SETTLE_MS` after it, when no reply from the killed process can still arrive),
 * wherever that falls relative to +switch-master; null while that gap is still open.
 */
export function backAfterKill(gaps: Gap[], killedAt: number): number | null {
  const dead = killedAt + KILL_SETTLE_MS;
  return gaps.find((g) => g.start <= dead && g.end > dead)?.end ?? null;
}

/** Writes every 5 ms through `port` and records each gap between acknowledged writes. */
export class Writer {
  private readonly client: Redis;
  private last = Date.now();
  private gaps: Gap[] = [];
  private running = true;
  private readonly loop: Promise<void>;
  private acked: () => void = () => undefined;
  /** Settles at the writer's first acknowledged write. */
  readonly firstAck = new Promise<void>((resolve) => {
    this.acked = resolve;
  });

  constructor(port: number) {
    this.client = new Redis({
      port,
      maxRetriesPerRequest: 1,
      retryStrategy: () => 10,
      connectTimeout: 1000,
    });
    this.client.on('error', () => undefined);
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        await Promise.race([
          this.client.set('cutover', String(Date.now())),
          sleep(1000).then(() => Promise.reject(new Error('timeout'))),
        ]);
        const now = Date.now();
        this.acked();
        // a write every 5 ms: anything much longer is a stretch without writes
        if (now - this.last > 50) this.gaps.push({ start: this.last, end: now });
        this.last = now;
      } catch {
        // not acknowledged: the gap goes on
      }
      await sleep(5);
    }
  }

  reset(): void {
    this.gaps = [];
    this.last = Date.now();
  }

  /** See backAfterKill. */
  backAt(killedAt: number): number | null {
    return backAfterKill(this.gaps, killedAt);
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    this.client.disconnect();
  }
}

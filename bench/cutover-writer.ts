import { Redis } from 'ioredis';
import { sleep } from './setup.js';

/** After a SIGKILL, replies the killed process sent may still be on their way for this long. */
const KILL_SETTLE_MS = 100;

/** Writes every 5 ms through `port` and keeps the longest gap between acknowledged writes. */
export class Writer {
  private readonly client: Redis;
  private last = Date.now();
  longest = { ms: 0, endAt: 0 };
  private running = true;
  private readonly loop: Promise<void>;

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
        if (now - this.last > this.longest.ms) this.longest = { ms: now - this.last, endAt: now };
        this.last = now;
      } catch {
        // not acknowledged: the gap goes on
      }
      await sleep(5);
    }
  }

  reset(): void {
    this.longest = { ms: 0, endAt: 0 };
    this.last = Date.now();
  }

  /**
   * When writes came back after a kill at `killedAt`: the end of the longest gap, which must span
   * the kill (`KILL_SETTLE_MS` after it, when no reply from the killed process can still arrive);
   * null if the writer has not written since (its gap is still open).
   */
  backAt(killedAt: number): number | null {
    const dead = killedAt + KILL_SETTLE_MS;
    const { ms, endAt } = this.longest;
    if (this.last < dead || Date.now() - this.last > ms) return null;
    return endAt - ms <= dead && endAt >= dead ? endAt : null;
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    this.client.disconnect();
  }
}

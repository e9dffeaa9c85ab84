/**
 * Calls `expired` once when `feed()` has not been called for `limitMs`; `stop()` disarms it. The
 * dashboard's stream has no timeout of its own: this is it.
 */
export class Watchdog {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  constructor(
    private readonly limitMs: number,
    private readonly expired: () => void,
  ) {
    this.feed();
  }

  /** Something arrived: the limit counts again from now. */
  feed(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.stopped = true;
      this.expired();
    }, this.limitMs);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}

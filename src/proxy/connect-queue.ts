/** A place in a backend's queue: `ready` once every session before it joined or gave up. */
export interface Turn {
  ready: Promise<void>;
  /** Joined, or gave up: the next session may go. Idempotent. */
  leave: () => void;
}

/**
 * Per backend, the sessions connecting to it in the order they were accepted. Their connects
 * may complete in another order; a session joins the relay only after every one accepted
 * before it joined or gave up, so the first bytes of each reach the backend in accept order.
 * Every wait is bounded: a session leaves once its connect ends, which has a timeout.
 */
export class ConnectQueue {
  private readonly tails = new Map<string, Promise<void>>();

  enter(addr: string): Turn {
    const before = this.tails.get(addr) ?? Promise.resolve();
    let release: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (release = resolve));
    const tail = before.then(() => done);
    this.tails.set(addr, tail);
    void tail.then(() => {
      if (this.tails.get(addr) === tail) this.tails.delete(addr);
    });
    return { ready: before, leave: () => release() };
  }

  /** Backends with sessions still connecting (for a test: the queue empties itself). */
  get size(): number {
    return this.tails.size;
  }
}

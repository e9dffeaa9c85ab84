import type { AlertTransition } from './engine.js';

/** Where alerts are sent, from the `alerts.notifiers` list of quorum.yaml. */
export interface NotifierConfig {
  name: string;
  /** `webhook`: quorum's JSON; `slack`: `{ text }`, as Slack's incoming webhooks (and Mattermost, Rocket.Chat) take. */
  type: 'webhook' | 'slack';
  url: string;
  /** Time allowed for one POST. @default 5000 */
  timeoutMs: number;
  /** Attempts after the first one fails. @default 3 */
  retries: number;
}

export const DEFAULT_NOTIFIER_TIMEOUT_MS = 5000;
export const DEFAULT_NOTIFIER_RETRIES = 3;
/** First wait before a retry; doubled each time, with jitter. */
const RETRY_BACKOFF_MS = 1000;
/** Notifications waiting per notifier; beyond it the oldest is given up (and noted). */
const QUEUE_LIMIT = 100;

/** A notification given up on: the event log records it, so nothing is lost silently. */
export interface DeadLetter {
  notifier: string;
  deployment: string;
  alert: string;
  kind: AlertTransition['kind'];
  reason: string;
}

/** The body quorum's generic webhook receives (version 1). */
export interface WebhookPayload {
  version: 1;
  status: 'firing' | 'resolved';
  alert: {
    id: string;
    rule: string;
    severity: string;
    deployment: string;
    subject: string | null;
    summary: string;
    runbook: string;
    startsAt: string;
    endsAt: string | null;
  };
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** What one notifier posts for one transition (pure). */
export function payloadFor(
  type: NotifierConfig['type'],
  { kind, alert }: AlertTransition,
): WebhookPayload | { text: string } {
  if (type === 'slack') {
    const mark =
      kind === 'resolved'
        ? ':large_green_circle:'
        : alert.severity === 'info'
          ? ':large_blue_circle:'
          : ':red_circle:';
    const head = `${mark} *${kind === 'firing' ? 'FIRING' : 'RESOLVED'}* ${alert.rule} (${alert.severity}) on *${alert.deployment}*`;
    return { text: `${head}\n${alert.summary}\n_${alert.runbook}_` };
  }
  return {
    version: 1,
    status: kind,
    alert: {
      id: alert.id,
      rule: alert.rule,
      severity: alert.severity,
      deployment: alert.deployment,
      subject: alert.subject,
      summary: alert.summary,
      runbook: alert.runbook,
      startsAt: iso(alert.firedAtMs ?? alert.sinceMs) ?? '',
      endsAt: iso(alert.resolvedAtMs),
    },
  };
}

/** Why a POST failed, and whether trying again can help. */
async function post(
  config: NotifierConfig,
  body: unknown,
  signal: AbortSignal,
): Promise<{ ok: true } | { ok: false; reason: string; retry: boolean }> {
  try {
    const response = await fetch(config.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'quorum-alerts' },
      body: JSON.stringify(body),
      redirect: 'error',
      signal: AbortSignal.any([signal, AbortSignal.timeout(config.timeoutMs)]),
    });
    await response.body?.cancel().catch(() => undefined);
    if (response.ok) return { ok: true };
    // a 4xx says the request itself is wrong (bad URL, revoked hook): the same one will not pass
    const retry = response.status >= 500 || response.status === 429 || response.status === 408;
    return { ok: false, reason: `answered HTTP ${response.status}`, retry };
  } catch (err) {
    const name = err instanceof Error ? err.name : '';
    if (name === 'TimeoutError')
      return { ok: false, reason: `gave no answer within ${config.timeoutMs} ms`, retry: true };
    const cause =
      err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
    return { ok: false, reason: `could not be reached (${cause})`, retry: true };
  }
}

interface Queue {
  config: NotifierConfig;
  waiting: AlertTransition[];
  running: Promise<void> | null;
}

/**
 * Sends alert transitions to every configured notifier in the background: one queue per
 * notifier (in order, bounded), each POST with a timeout, retries with backoff, and a dead letter
 * for what is given up. Nothing here ever blocks or throws into the observer.
 */
export class Notifiers {
  private readonly queues: Queue[];
  private readonly abort = new AbortController();

  constructor(
    configs: NotifierConfig[],
    private readonly onDeadLetter: (letter: DeadLetter) => void,
    private readonly backoffMs: number = RETRY_BACKOFF_MS,
  ) {
    this.queues = configs.map((config) => ({ config, waiting: [], running: null }));
  }

  get size(): number {
    return this.queues.length;
  }

  notify(transition: AlertTransition): void {
    if (this.closed()) return;
    for (const queue of this.queues) {
      queue.waiting.push(transition);
      if (queue.waiting.length > QUEUE_LIMIT) {
        const dropped = queue.waiting.shift();
        if (dropped)
          this.dead(queue.config, dropped, `more than ${QUEUE_LIMIT} notifications were waiting`);
      }
      queue.running ??= this.drain(queue).finally(() => {
        queue.running = null;
      });
    }
  }

  /** Resolves once every queue is empty (what was sent, was sent; the rest is dead-lettered). */
  async idle(): Promise<void> {
    while (this.queues.some((q) => q.running !== null))
      await Promise.all(this.queues.map((q) => q.running ?? Promise.resolve()));
  }

  /** Gives up on retries and waiting notifications (each one noted), then waits for the queues. */
  async close(): Promise<void> {
    this.abort.abort();
    await this.idle();
  }

  private dead(config: NotifierConfig, transition: AlertTransition, reason: string): void {
    this.onDeadLetter({
      notifier: config.name,
      deployment: transition.alert.deployment,
      alert: transition.alert.id,
      kind: transition.kind,
      reason,
    });
  }

  private async drain(queue: Queue): Promise<void> {
    for (let next = queue.waiting.shift(); next; next = queue.waiting.shift()) {
      await this.deliver(queue.config, next);
    }
  }

  private async deliver(config: NotifierConfig, transition: AlertTransition): Promise<void> {
    const body = payloadFor(config.type, transition);
    let reason = 'quorum stopped before it was sent';
    for (let attempt = 0; attempt <= config.retries && !this.closed(); attempt++) {
      if (attempt > 0)
        await this.sleep(this.backoffMs * 2 ** (attempt - 1) * (0.75 + Math.random() / 2));
      if (this.closed()) break;
      const result = await post(config, body, this.abort.signal);
      if (result.ok) return;
      if (this.closed()) break;
      reason = `${config.url} ${result.reason}`;
      if (!result.retry) break;
      if (attempt === config.retries) reason += ` (after ${attempt + 1} attempts)`;
    }
    this.dead(config, transition, reason);
  }

  /** A method, not a field read: the compiler would take one check of the signal as final. */
  private closed(): boolean {
    return this.abort.signal.aborted;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const signal = this.abort.signal;
      function done() {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    });
  }
}

import type { Addr, LinkReport } from '../model/index.js';
import { RedisLink, Subscription } from '../redis/index.js';
import type { Access, MessageHandler } from '../redis/index.js';

interface SentinelLinks {
  link: RedisLink;
  subscription: Subscription | null;
}

export interface ObserverLinksOptions {
  timeoutMs: number;
  /** How the data nodes are reached. */
  access: Access;
  /** How the sentinels themselves are reached. */
  sentinelAccess: Access;
  /** Subscribe to every sentinel's event channels. */
  subscribe: boolean;
  /** False once the observer stops: no link is opened after that. */
  accepting: () => boolean;
  onSentinelMessage: (sentinel: Addr, channel: string, message: string) => void;
}

function byAddr(a: Addr, b: Addr): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/** The observer's connections: per sentinel a command link and a subscription, per node a link. */
export class ObserverLinks {
  private readonly sentinels = new Map<Addr, SentinelLinks>();
  private readonly nodes = new Map<Addr, RedisLink>();

  constructor(private readonly options: ObserverLinksOptions) {}

  /** Opens links to a sentinel not known yet; true when it was new. */
  ensureSentinel(addr: Addr): boolean {
    if (!this.options.accepting() || this.sentinels.has(addr)) return false;
    const linkOptions = {
      timeoutMs: this.options.timeoutMs,
      access: this.options.sentinelAccess,
      connectionName: 'quorum-observer',
    };
    const onMessage: MessageHandler = (channel, message) =>
      this.options.onSentinelMessage(addr, channel, message);
    const subscription = this.options.subscribe
      ? new Subscription(addr, '*', onMessage, linkOptions)
      : null;
    this.sentinels.set(addr, { link: new RedisLink(addr, linkOptions), subscription });
    return true;
  }

  /** Opens a link to a data node not known yet; true when it was new. */
  ensureNode(addr: Addr): boolean {
    if (!this.options.accepting() || this.nodes.has(addr)) return false;
    const link = new RedisLink(addr, {
      timeoutMs: this.options.timeoutMs,
      access: this.options.access,
      connectionName: 'quorum-observer',
    });
    this.nodes.set(addr, link);
    return true;
  }

  sentinelLinks(): RedisLink[] {
    return [...this.sentinels.values()].map(({ link }) => link);
  }

  nodeLinks(): RedisLink[] {
    return [...this.nodes.values()];
  }

  /** Closes the link to a node that is no longer part of the deployment. */
  forgetNode(addr: Addr): void {
    const link = this.nodes.get(addr);
    if (!link) return;
    this.nodes.delete(addr);
    void link.close();
  }

  async closeAll(): Promise<void> {
    for (const { link, subscription } of this.sentinels.values()) {
      subscription?.close();
      await link.close();
    }
    for (const link of this.nodes.values()) await link.close();
  }

  /** Every link's state: sentinels (commands, then events), then nodes, each by address. */
  report(): LinkReport[] {
    const reports: LinkReport[] = [];
    for (const addr of [...this.sentinels.keys()].sort(byAddr)) {
      const entry = this.sentinels.get(addr);
      if (!entry) continue;
      reports.push({ addr, purpose: 'sentinel', ...entry.link.snapshot() });
      if (entry.subscription)
        reports.push({ addr, purpose: 'sentinel-events', ...entry.subscription.snapshot() });
    }
    for (const addr of [...this.nodes.keys()].sort(byAddr)) {
      const link = this.nodes.get(addr);
      if (link) reports.push({ addr, purpose: 'node', ...link.snapshot() });
    }
    return reports;
  }
}

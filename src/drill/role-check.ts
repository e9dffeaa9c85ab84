import type { Access } from '../redis/index.js';
import type { Addr } from '../model/index.js';
import { RedisLink } from '../redis/index.js';

/** HAProxy's defaults for a Redis backend as the usual guides write it: `check inter 1s`. */
const ROLE_CHECK = { intervalMs: 1000, rise: 2, fall: 3 } as const;

/** What HAProxy knows of one server between checks. */
export interface CheckState {
  up: boolean;
  /** Consecutive results that disagree with `up`. */
  streak: number;
}

/** One check result applied HAProxy's way: `fall` failures take a server down, `rise` passes bring it up (pure). */
export function afterCheck(state: CheckState, passed: boolean): CheckState {
  if (passed === state.up) return { up: state.up, streak: 0 };
  const streak = state.streak + 1;
  return streak >= (state.up ? ROLE_CHECK.fall : ROLE_CHECK.rise)
    ? { up: passed, streak: 0 }
    : { up: state.up, streak };
}

interface ServerState extends CheckState {
  addr: Addr;
  link: RedisLink;
}

/** The check itself, as HAProxy sends it: `info replication`, expecting `role:master`. */
async function saysMaster(link: RedisLink): Promise<boolean> {
  try {
    const info = await link.call('INFO', 'replication');
    return typeof info === 'string' && /^role:master\r?$/m.test(info);
  } catch {
    return false;
  }
}

/**
 * Routes connections the way an HAProxy write backend in front of Sentinel does: every data node
 * is a server, checked each second with `info replication`; a server is up after `rise` checks
 * that see `role:master` and down after `fall` that do not. New connections go round-robin to
 * the servers that are up; existing ones are left where they are (no `shutdown-sessions`).
 * It asks no sentinel, so a node that says `role:master` without their agreement gets traffic.
 */
export class RoleCheckRouter {
  private readonly servers: ServerState[];
  private timer: NodeJS.Timeout | null = null;
  private next = 0;
  private stopped = false;
  private checking: Promise<void> = Promise.resolve();

  constructor(nodes: readonly Addr[], access: Access, timeoutMs: number) {
    this.servers = nodes.map((addr) => ({
      addr,
      link: new RedisLink(addr, { timeoutMs, access, connectionName: 'quorum-drill-check' }),
      up: false,
      streak: 0,
    }));
  }

  /** Checks once (so servers that say master are up at once, as HAProxy starts them), then every interval. */
  async start(): Promise<void> {
    await Promise.all(
      this.servers.map(async (s) => {
        s.up = await saysMaster(s.link);
      }),
    );
    this.schedule();
  }

  /** The next round starts an interval after the last one ended, so rounds never overlap. */
  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.checking = this.checkAll().then(() => this.schedule());
    }, ROLE_CHECK.intervalMs);
  }

  private async checkAll(): Promise<void> {
    await Promise.all(
      this.servers.map(async (s) => {
        Object.assign(s, afterCheck(s, await saysMaster(s.link)));
      }),
    );
  }

  /** The servers a new connection may go to now. */
  upServers(): Addr[] {
    return this.servers.filter((s) => s.up).map((s) => s.addr);
  }

  /** The server for a new connection (round-robin over the up ones), or null when none is up. */
  pick(): Addr | null {
    const up = this.upServers();
    if (up.length === 0) return null;
    return up[this.next++ % up.length] ?? null;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.checking;
    await Promise.all(this.servers.map((s) => s.link.close()));
  }
}

/** A message from a sentinel's pub/sub channel: the channel is the event's type. */
export interface SentinelMessage {
  type: string;
  message: string;
}

/**
 * Whether `e` is about the failover of `master` (`host:port`), the master that was killed (pure).
 * `+switch-master <name> <old-ip> <old-port> <new-ip> <new-port>` counts only when the killed
 * master is the old one (a later run's switch *to* it is not its failover);
 * `-failover-abort-not-elected master <name> <ip> <port>` only when it is that master.
 */
export function aboutKilledMaster(e: SentinelMessage, master: string): boolean {
  const colon = master.lastIndexOf(':');
  const ip = master.slice(0, colon);
  const port = master.slice(colon + 1);
  const fields = e.message.trim().split(/\s+/);
  switch (e.type) {
    case '+switch-master':
      return fields.length === 5 && fields[1] === ip && fields[2] === port;
    case '-failover-abort-not-elected':
      return fields[0] === 'master' && fields[2] === ip && fields[3] === port;
    default:
      return false;
  }
}

import { connect, createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { once } from 'node:events';

/** A loopback port a test keeps while nothing listens on it. */
export interface HeldPort {
  port: number;
  /** `127.0.0.1:<port>` */
  addr: string;
  /** Gives the port back. */
  release(): Promise<void>;
}

/**
 * Holds a loopback port (`port`, or one the kernel picks) with nothing listening on it, so
 * connecting to it is refused until `release()`. The port is the explicitly bound local end of a
 * connection kept open to a server of our own: Linux then hands it to no other `listen(0)`, in
 * any process (test files run in parallel), and never picks it as a connection's source port, so
 * no connection reaches itself. A server of ours may still listen on it explicitly (both ends set
 * SO_REUSEADDR), so a test can bring a server back on its port without a gap.
 */
export async function holdPort(port = 0): Promise<HeldPort> {
  const peers = new Set<Socket>();
  const anchor = createServer((peer) => {
    peers.add(peer);
    peer.on('error', () => undefined);
  });
  anchor.listen(0, '127.0.0.1');
  await once(anchor, 'listening');
  const holder = connect({
    host: '127.0.0.1',
    port: (anchor.address() as AddressInfo).port,
    localAddress: '127.0.0.1',
    ...(port === 0 ? {} : { localPort: port }),
  });
  holder.on('error', () => undefined);
  const release = async () => {
    holder.destroy();
    for (const peer of peers) peer.destroy();
    await new Promise((resolve) => anchor.close(resolve));
  };
  try {
    await once(holder, 'connect');
  } catch (err) {
    await release();
    throw err;
  }
  const held = holder.localPort ?? 0;
  return { port: held, addr: `127.0.0.1:${held}`, release };
}

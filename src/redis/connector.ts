import { createConnection } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { connect as tlsConnect } from 'node:tls';
import { AbstractConnector } from 'ioredis';

/** ioredis's own words when a connection is closed before it opened (it checks for them). */
const CLOSED = 'Connection is closed.';

interface ConnectorOptions {
  host?: string;
  port?: number;
  tls?: ConnectionOptions;
  disconnectTimeout?: number;
}

/**
 * ioredis's standalone connector, with every error of the socket heard. ioredis listens for a
 * socket's first error only, and a TLS socket can report a second one (an alert the server sends
 * after a failed handshake): unheard, that one would end the process. The first still reaches
 * ioredis, which reports it and reconnects as before.
 */
export class HeardConnector extends AbstractConnector {
  private readonly options: ConnectorOptions;

  constructor(options: unknown) {
    const given = (options ?? {}) as ConnectorOptions;
    super(given.disconnectTimeout ?? 2000);
    this.options = given;
  }

  connect(): Promise<ReturnType<typeof createConnection>> {
    this.connecting = true;
    return new Promise((resolve, reject) => {
      process.nextTick(() => {
        if (!this.connecting) {
          reject(new Error(CLOSED));
          return;
        }
        const at = { host: this.options.host ?? '127.0.0.1', port: this.options.port ?? 6379 };
        let stream: ReturnType<typeof createConnection>;
        try {
          stream = this.options.tls
            ? tlsConnect({ ...at, ...this.options.tls })
            : createConnection(at);
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
          return;
        }
        this.stream = stream;
        stream.once('error', (err) => {
          this.firstError = err;
        });
        stream.on('error', () => undefined);
        resolve(stream);
      });
    });
  }
}

import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { HeardConnector } from './connector.js';

describe('HeardConnector', () => {
  it("hears a socket's second error, which ioredis (listening once) would leave to end the process", async () => {
    const server = createServer((socket) => socket.end());
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const { port } = server.address() as AddressInfo;
    try {
      const stream = await new HeardConnector({ host: '127.0.0.1', port }).connect();
      // what ioredis does: one listener, for the first error only
      let heard = 0;
      stream.once('error', () => heard++);
      stream.emit('error', new Error('first'));
      expect(() => stream.emit('error', new Error('an alert after the handshake'))).not.toThrow();
      expect(heard).toBe(1);
      stream.destroy();
    } finally {
      await new Promise((done) => server.close(done));
    }
  });
});

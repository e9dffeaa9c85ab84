import { createServer } from 'node:net';

/** Whether `port` can be bound on `host` right now. */
export function isPortFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => {
      server.close(() => resolve(true));
    });
  });
}

/** The first port of `ports` that is taken, or null when all are free. */
export async function firstTakenPort(host: string, ports: number[]): Promise<number | null> {
  for (const port of ports) {
    if (!(await isPortFree(host, port))) return port;
  }
  return null;
}

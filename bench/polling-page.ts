import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Redis } from 'ioredis';

/** How often the polling page asks. */
export const POLL_MS = 2000;

const PAGE = `<!doctype html>
<title>master</title>
<span id="master"></span>
<script>
  const el = document.getElementById('master');
  async function poll() {
    try {
      const res = await fetch('/master', { signal: AbortSignal.timeout(1000) });
      if (res.ok) el.textContent = await res.text();
    } catch {
      // the next tick asks again
    }
  }
  poll();
  setInterval(poll, ${String(POLL_MS)});
</script>`;

/**
 * The usual status page, for comparison: a server whose `/master` asks a sentinel for the master
 * on every request (as a small Flask view would), and a page that fetches it every 2 s and shows
 * it in `#master`. Resolves with its URL once it listens.
 */
export async function startPollingPage(sentinel: Redis): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    if (req.url === '/master') {
      Promise.race([
        sentinel.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'mymaster') as Promise<string[]>,
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error('sentinel timeout')), 1000),
        ),
      ]).then(
        ([host, port]) => res.end(`${host ?? ''}:${port ?? ''}`),
        () => res.writeHead(502).end(),
      );
    } else {
      res.setHeader('content-type', 'text/html').end(PAGE);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/`, server };
}

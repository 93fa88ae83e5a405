import { createServer, type Server } from 'node:http';

export interface Upstream {
  port: number;
  close(): Promise<void>;
}

/**
 * A service the e2e registry calls over HTTP whose health a test switches: `POST /health/down` makes it
 * answer 503, `POST /health/up` 200. Real HTTP on 127.0.0.1, so the engine's real http runner talks to it.
 */
export async function startUpstream(): Promise<Upstream> {
  let healthy = false;
  const server: Server = createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/health/up') healthy = true;
    else if (req.method === 'POST' && req.url === '/health/down') healthy = false;
    else if (req.url?.startsWith('/health')) {
      res.writeHead(404).end();
      return;
    } else if (!healthy) {
      req.resume();
      res.writeHead(503, { 'content-type': 'text/plain' }).end('e2e upstream is down');
      return;
    }
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, healthy }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('upstream has no TCP port');
  return {
    port: address.port,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Switches the upstream's health from a test. */
export async function setUpstreamHealth(port: number, healthy: boolean): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${port}/health/${healthy ? 'up' : 'down'}`, { method: 'POST' });
  if (!response.ok) throw new Error(`upstream health switch answered ${response.status}`);
}

import { createServer } from 'node:http';
import { requestUrl } from '../api/requestUrl.ts';

export interface RunningMetricsServer {
  /** `http://HOST:PORT/metrics`. */
  url: string;
  port: number;
  close(): Promise<void>;
}

const isLoopback = (host: string) => host === 'localhost' || host === '::1' || /^127\./.test(host);

/**
 * On a loopback address, a Host that names something else is a web page's DNS rebinding (a foreign name
 * resolved to 127.0.0.1), not a scraper: refused. On an address a scraper elsewhere reaches, any name
 * for it goes.
 */
export function metricsHostAllowed(hostHeader: string | undefined, bound: string, port: number): boolean {
  if (!isLoopback(bound)) return true;
  const host = hostHeader?.toLowerCase();
  return host !== undefined && [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `${bound}:${port}`].includes(host);
}

/**
 * `opsdeck worker --metrics-port N`: GET /metrics and nothing else, on the address given (loopback
 * unless told otherwise). It answers what a scraper asks and holds no secrets: the counts, breaker
 * states and worker ids it shows are what `opsdeck status` shows anyone with the store.
 */
export function startMetricsServer(opts: { host: string; port: number; render: () => Promise<{ contentType: string; body: string }> }): Promise<RunningMetricsServer> {
  const server = createServer((req, res) => {
    const address = server.address();
    const port = address !== null && typeof address === 'object' ? address.port : opts.port;
    if (!metricsHostAllowed(req.headers.host, opts.host, port)) {
      res.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`this port answers requests for ${opts.host}:${port} only\n`);
      return;
    }
    const path = requestUrl(req, 'http://opsdeck.invalid')?.pathname;
    if (path !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('not found: this port serves /metrics only\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('use GET /metrics\n');
      return;
    }
    opts.render().then(
      ({ contentType, body }) => {
        res.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      (error: unknown) => {
        res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end(`the metrics could not be read: ${error instanceof Error ? error.message : String(error)}\n`);
      },
    );
  });
  server.on('clientError', (_error, socket) => socket.destroy());
  return new Promise((resolveStart, rejectStart) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      rejectStart(
        new Error(
          error.code === 'EADDRINUSE'
            ? `the metrics port ${opts.port} on ${opts.host} is already in use; pick another with --metrics-port`
            : `cannot serve metrics on ${opts.host}:${opts.port}: ${error.message}`,
        ),
      ),
    );
    server.listen({ host: opts.host, port: opts.port, exclusive: true }, () => {
      const address = server.address();
      const port = address !== null && typeof address === 'object' ? address.port : opts.port;
      const shown = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
      resolveStart({
        url: `http://${shown}:${port}/metrics`,
        port,
        close: () =>
          new Promise<void>((resolveClose) => {
            server.close(() => resolveClose());
            server.closeAllConnections();
          }),
      });
    });
  });
}

import { createServer } from 'node:http';
import { sendError } from './errors.ts';
import { isRestPath, type RestHandler } from './handler.ts';
import { noEndpointMessage } from './runbookPaths.ts';
import { NOT_A_URL, requestUrl } from '../api/requestUrl.ts';

export interface RunningRestServer {
  /** `http://HOST:PORT`, the base the API's paths hang from. */
  url: string;
  port: number;
  close(): Promise<void>;
}

function isIpv6(host: string): boolean {
  return host.includes(':');
}

/** Loopback addresses: the API reached from this machine only. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

/**
 * The headless host of `opsdeck api`: the REST API and nothing else (no console, no event socket, no
 * launch token: every request needs an API key). No Host or Origin check is needed here: a key is sent
 * only by whoever holds it, never by a browser on its own, so a foreign page can borrow nothing.
 */
export function startRestServer(opts: { host: string; port: number; handler: RestHandler }): Promise<RunningRestServer> {
  const server = createServer((req, res) => {
    res.setHeader('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
    res.setHeader('Referrer-Policy', 'no-referrer');
    const url = requestUrl(req, 'http://opsdeck.invalid');
    if (!url) {
      sendError(res, 'bad_request', NOT_A_URL);
      return;
    }
    if (!isRestPath(url.pathname)) {
      sendError(res, 'not_found', noEndpointMessage(req.method ?? 'GET', url.pathname, 'this host serves the REST API under /v1 (GET /v1/openapi.json lists it), /healthz, /readyz and /metrics'));
      return;
    }
    opts.handler(req, res, url).catch(() => {
      if (!res.headersSent) sendError(res, 'internal', 'the API host failed to answer this request');
      else res.destroy();
    });
  });
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  return new Promise((resolveStart, rejectStart) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      rejectStart(
        new Error(
          error.code === 'EADDRINUSE'
            ? `port ${opts.port} on ${opts.host} is already in use; pick another with --port, or --port 0 for any free port`
            : `cannot listen on ${opts.host}:${opts.port}: ${error.message}`,
        ),
      );
    });
    server.listen({ host: opts.host, port: opts.port, exclusive: true }, () => {
      const address = server.address();
      const port = address !== null && typeof address === 'object' ? address.port : opts.port;
      const shown = isIpv6(opts.host) ? `[${opts.host}]` : opts.host;
      let closing: Promise<void> | null = null;
      resolveStart({
        url: `http://${shown}:${port}`,
        port,
        close() {
          closing ??= new Promise<void>((resolveClose) => {
            server.close(() => resolveClose());
            server.closeIdleConnections();
            setTimeout(() => server.closeAllConnections(), 1000).unref();
          });
          return closing;
        },
      });
    });
  });
}

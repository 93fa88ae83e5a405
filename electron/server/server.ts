import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ApiResponse } from '../../shared/contract.ts';
import { isRestPath, type RestHandler } from '../rest/handler.ts';
import { sendError } from '../rest/errors.ts';
import { meantRouteMessage } from '../rest/runbookPaths.ts';
import { NOT_A_URL, requestUrl } from '../api/requestUrl.ts';
import { DEFAULT_MAX_BODY_BYTES, handleApiCall, sendFailure } from './api.ts';
import { createToken, isAuthorized } from './auth.ts';
import { setSecurityHeaders } from './headers.ts';
import { checkOrigin } from './origin.ts';
import { serveStatic } from './static.ts';
import { createEventSockets, rejectUpgrade } from './ws.ts';

export interface ServerOptions {
  /** Loopback only: the console is never reachable from another machine. */
  host?: '127.0.0.1';
  /** 0 picks a free port. */
  port: number;
  /** The built renderer (dist/renderer). */
  staticDir: string;
  dispatch: (name: string, input: unknown) => Promise<ApiResponse>;
  subscribe: (listener: (event: string, payload: unknown) => void) => () => void;
  /** Defaults to a fresh random token per launch. */
  token?: string;
  maxBodyBytes?: number;
  heartbeatMs?: number;
  /**
   * REST API v1 (/v1, /healthz, /readyz, /metrics), given this server's launch-token check so a signed-in session
   * may use it too. Without it those paths still answer JSON 404, never the console's page.
   */
  rest?: (isSession: (req: Pick<IncomingMessage, 'headers'>) => boolean) => RestHandler;
}

export interface RunningServer {
  /** What the operator opens: `http://127.0.0.1:PORT/?token=TOKEN`. */
  url: string;
  /** `http://127.0.0.1:PORT`, without the token. */
  origin: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const API_CALL = '/api/call/';
const EVENTS_PATH = '/api/events';

function listen(server: ReturnType<typeof createServer>, host: string, port: number): Promise<number> {
  return new Promise((resolveListen, rejectListen) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (error.code === 'EADDRINUSE') {
        rejectListen(new Error(`port ${port} on ${host} is already in use; pick another with --port, or --port 0 for any free port`));
      } else {
        rejectListen(new Error(`cannot listen on ${host}:${port}: ${error.message}`));
      }
    };
    const onListening = () => {
      server.off('error', onError);
      const address = server.address();
      if (address !== null && typeof address === 'object') resolveListen(address.port);
      else rejectListen(new Error(`cannot listen on ${host}:${port}: no TCP address`));
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ host, port, exclusive: true });
  });
}

/** The browser host: the built console and the API over HTTP + WebSocket, on 127.0.0.1 with a token. */
export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const host = '127.0.0.1';
  const token = opts.token ?? createToken();
  const maxBodyBytes = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  let port = opts.port;

  const sockets = createEventSockets({ subscribe: opts.subscribe, heartbeatMs: opts.heartbeatMs ?? 30_000 });
  const rest = opts.rest?.((req) => isAuthorized(req, token)) ?? null;

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    setSecurityHeaders(res, port);
    const origin = checkOrigin(req.headers, port);
    if (!origin.ok) {
      sendFailure(res, 403, 'forbidden', origin.message);
      return;
    }
    const url = requestUrl(req, `http://${host}:${port}`);
    if (!url) {
      sendFailure(res, 400, 'invalid_input', NOT_A_URL);
      return;
    }

    if (isRestPath(url.pathname)) {
      if (rest) await rest(req, res, url);
      else sendError(res, 'not_found', `no REST API on this host: ${url.pathname}`);
      return;
    }

    if (url.pathname === '/api' || url.pathname.startsWith('/api/')) {
      // A runbook's endpoint (POST /api/tasks) is named as REST API v1's, whoever asks: the mapping is no secret.
      // A host without REST says it has none, as for /v1: naming a route it does not serve sends the caller on to another 404.
      const meant = url.pathname.startsWith(API_CALL) || url.pathname === EVENTS_PATH ? null : meantRouteMessage(req.method ?? 'GET', url.pathname);
      if (meant !== null) {
        sendError(res, 'not_found', rest ? meant : `no REST API on this host: ${url.pathname}`);
        return;
      }
      if (!isAuthorized(req, token)) {
        sendFailure(res, 401, 'forbidden', 'this session is not signed in: open the URL printed by `opsdeck serve`');
        return;
      }
      if (url.pathname.startsWith(API_CALL)) {
        await handleApiCall(req, res, url.pathname.slice(API_CALL.length), { dispatch: opts.dispatch, maxBodyBytes });
        return;
      }
      sendFailure(res, 404, 'not_found', `no API at ${url.pathname}`);
      return;
    }

    // The console's own files hold nothing secret: the page takes the token from the printed URL's
    // ?token= and sends it with every call (renderer/src/lib/session.ts). Without it, the page says so.
    await serveStatic(req, res, opts.staticDir, url.pathname);
  }

  const server = createServer((req, res) => {
    route(req, res).catch(() => {
      if (!res.headersSent) sendFailure(res, 500, 'internal', 'the console host failed to answer this request');
      else res.destroy();
    });
  });
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = requestUrl(req, `http://${host}:${port}`);
    if (!url) return rejectUpgrade(socket, 400, 'Bad Request');
    if (url.pathname !== EVENTS_PATH) return rejectUpgrade(socket, 404, 'Not Found');
    const origin = checkOrigin(req.headers, port);
    if (!origin.ok) return rejectUpgrade(socket, 403, 'Forbidden');
    if (!isAuthorized(req, token)) return rejectUpgrade(socket, 401, 'Unauthorized');
    sockets.handleUpgrade(req, socket, head);
  });

  try {
    port = await listen(server, host, opts.port);
  } catch (error) {
    sockets.close();
    throw error;
  }

  let closing: Promise<void> | null = null;
  return {
    url: `http://${host}:${port}/?token=${token}`,
    origin: `http://${host}:${port}`,
    port,
    token,
    close() {
      closing ??= new Promise<void>((resolveClose) => {
        sockets.close();
        server.close(() => resolveClose());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 1000).unref();
      });
      return closing;
    },
  };
}

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { EVENTS_PROTOCOL } from '../../shared/contract.ts';

export type Subscribe = (listener: (event: string, payload: unknown) => void) => () => void;

export interface EventSocketOptions {
  subscribe: Subscribe;
  /** Milliseconds between pings; a client that missed the previous pong is dropped. */
  heartbeatMs: number;
}

export interface EventSockets {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  clientCount(): number;
  close(): void;
}

/** A client this far behind is not reading; dropping it protects the host's memory. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

export function rejectUpgrade(socket: Duplex, status: number, reason: string): void {
  const body = JSON.stringify({ ok: false, error: { code: 'forbidden', message: reason } });
  socket.on('error', () => undefined);
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/**
 * The event feed over WebSocket. One subscription to the host's feed serves every client: each
 * event is serialised once and sent to all. Clients only listen; what they send is ignored.
 */
export function createEventSockets(opts: EventSocketOptions): EventSockets {
  // The answer names only the protocol, never the token that rode beside it in the request.
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096, perMessageDeflate: false, clientTracking: true, handleProtocols: (protocols) => (protocols.has(EVENTS_PROTOCOL) ? EVENTS_PROTOCOL : false) });
  const alive = new WeakMap<WebSocket, boolean>();

  const unsubscribe = opts.subscribe((event, payload) => {
    let text: string;
    try {
      text = JSON.stringify({ event, payload });
    } catch {
      return;
    }
    for (const client of wss.clients) {
      if (client.readyState !== WebSocket.OPEN) continue;
      if (client.bufferedAmount > MAX_BUFFERED_BYTES) {
        client.terminate();
        continue;
      }
      client.send(text, () => undefined);
    }
  });

  const heartbeat = setInterval(() => {
    for (const client of wss.clients) {
      if (alive.get(client) === false) {
        client.terminate();
        continue;
      }
      alive.set(client, false);
      try {
        client.ping();
      } catch {
        client.terminate();
      }
    }
  }, opts.heartbeatMs);
  heartbeat.unref();

  wss.on('connection', (client) => {
    alive.set(client, true);
    client.on('pong', () => alive.set(client, true));
    client.on('error', () => client.terminate());
    client.on('message', () => undefined);
  });
  wss.on('error', () => undefined);

  return {
    handleUpgrade(req, socket, head) {
      socket.on('error', () => socket.destroy());
      wss.handleUpgrade(req, socket, head, (client) => wss.emit('connection', client, req));
    },
    clientCount: () => wss.clients.size,
    close() {
      clearInterval(heartbeat);
      unsubscribe();
      for (const client of wss.clients) {
        client.close(1001, 'server shutting down');
        // A client that does not answer the close frame must not hold the process open.
        setTimeout(() => client.terminate(), 500).unref();
      }
      wss.close();
    },
  };
}

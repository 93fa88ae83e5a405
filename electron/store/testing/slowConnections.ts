import net from 'node:net';

/**
 * A TCP front to a PostgreSQL server on which every new connection takes `delayMs` to reach it, and then
 * passes bytes both ways untouched: a server whose connections are slow to open (far away, or a TLS or
 * directory login in front of it) but quick to answer once open. The engine's tcpRelay (cut, silence)
 * lives above the store and cannot be imported here.
 */
export interface SlowConnections {
  /** The server's URL with the front's address in place of the server's. */
  url: string;
  close(): Promise<void>;
}

export async function startSlowConnections(serverUrl: string, delayMs: number): Promise<SlowConnections> {
  const server = new URL(serverUrl);
  const sockets = new Set<net.Socket>();
  const track = (socket: net.Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  const front = net.createServer((client) => {
    track(client);
    // What the client sends first (its startup message) waits in the socket until the server is reached.
    client.pause();
    const timer = setTimeout(() => {
      const upstream = net.connect(Number(server.port || 5432), server.hostname);
      track(upstream);
      const close = () => {
        client.destroy();
        upstream.destroy();
      };
      upstream.on('error', close).on('close', close);
      client.on('error', close).on('close', close);
      client.pipe(upstream);
      upstream.pipe(client);
    }, delayMs);
    client.on('close', () => clearTimeout(timer));
    client.on('error', () => clearTimeout(timer));
  });
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  const address = front.address();
  if (!address || typeof address !== 'object') throw new Error('the slow-connections front has no TCP address');
  const url = new URL(serverUrl);
  url.host = `127.0.0.1:${address.port}`;
  return {
    url: url.toString(),
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => front.close(() => resolve()));
    },
  };
}

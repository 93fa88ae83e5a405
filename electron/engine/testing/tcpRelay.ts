import net from 'node:net';

/**
 * A TCP relay to a PostgreSQL server, for the network failures a real one has: sockets that stay open
 * while no byte flows any more, as when packets are dropped on the way. Nothing else about the
 * connection changes, so the client sees exactly what it would see on such a network.
 */
export interface TcpRelay {
  /** The server's URL with the relay's address in place of the server's. */
  url: string;
  /** No byte flows on any connection, open or new: the server is cut off. */
  silence(): void;
  /**
   * Every connection is closed, and a new one is closed as soon as it opens, until `restore`: the server is
   * down, as its clients see it while it is stopped (`pg_ctlcluster … stop -m fast`), and nothing else is.
   */
  cut(): void;
  /** New connections reach the server again: it was started again. */
  restore(): void;
  /** Connections open now stop passing bytes; new ones work: a laptop that changed networks. */
  strandOpenConnections(): void;
  /**
   * On connections open now, what the client sends still reaches the server but no answer comes back;
   * new ones work: a statement that ran, and maybe committed, whose answer was lost.
   */
  loseAnswersOnOpenConnections(): void;
  close(): Promise<void>;
}

/** `oneWayMs`: every chunk is held that long in each direction (order kept), as on a server that far away. */
export async function startTcpRelay(serverUrl: string, opts: { oneWayMs?: number } = {}): Promise<TcpRelay> {
  const oneWayMs = opts.oneWayMs ?? 0;
  const send = (to: net.Socket, data: Buffer): void => {
    if (oneWayMs === 0) to.write(data);
    else setTimeout(() => to.destroyed || to.write(data), oneWayMs);
  };
  const server = new URL(serverUrl);
  const sockets = new Set<net.Socket>();
  const strandable = new Set<{ stranded: boolean; deaf: boolean }>();
  let silent = false;
  let down = false;
  const relay = net.createServer((client) => {
    if (down) {
      client.destroy();
      return;
    }
    sockets.add(client);
    if (silent) return;
    const upstream = net.connect(Number(server.port || 5432), server.hostname);
    sockets.add(upstream);
    const pair = { stranded: false, deaf: false };
    client.on('data', (d: Buffer) => silent || pair.stranded || send(upstream, d));
    upstream.on('data', (d: Buffer) => silent || pair.stranded || pair.deaf || send(client, d));
    strandable.add(pair);
    const close = () => {
      client.destroy();
      upstream.destroy();
      strandable.delete(pair);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  const address = relay.address();
  if (!address || typeof address !== 'object') throw new Error('the relay has no TCP address');
  const url = new URL(serverUrl);
  url.host = `127.0.0.1:${address.port}`;
  return {
    url: url.toString(),
    silence() {
      silent = true;
    },
    cut() {
      down = true;
      for (const socket of sockets) socket.destroy();
    },
    restore() {
      down = false;
    },
    strandOpenConnections() {
      for (const pair of strandable) pair.stranded = true;
    },
    loseAnswersOnOpenConnections() {
      for (const pair of strandable) pair.deaf = true;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => relay.close(() => resolve()));
    },
  };
}

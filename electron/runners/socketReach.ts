import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

/**
 * Whether `url`'s server accepts a connection (and, for https, completes a handshake), sending no request:
 * for a health probe of a URL that a GET could set to work. Rejects with the socket's error, or a
 * TimeoutError after `timeoutMs`.
 */
export function acceptsConnections(url: URL, timeoutMs: number): Promise<void> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const socket: Socket = url.protocol === 'https:' ? tlsConnect({ host, port, servername: /^[\d.]+$/.test(host) || host.includes(':') ? undefined : host }) : tcpConnect({ host, port });
  const opened = url.protocol === 'https:' ? 'secureConnect' : 'connect';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(Object.assign(new Error(`no connection within ${timeoutMs / 1000}s`), { name: 'TimeoutError' }));
    }, timeoutMs);
    socket.once(opened, () => {
      clearTimeout(timer);
      socket.destroy();
      resolve();
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(Object.assign(new Error(error.message), { cause: error }));
    });
  });
}

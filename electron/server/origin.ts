import type { IncomingHttpHeaders } from 'node:http';

export type OriginCheck = { ok: true } | { ok: false; message: string };

function allowedHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

/**
 * Guards against DNS rebinding (a foreign name resolving to 127.0.0.1 carries its own Host) and
 * cross-site requests (a foreign page's fetch or WebSocket carries its own Origin).
 */
export function checkOrigin(headers: IncomingHttpHeaders, port: number): OriginCheck {
  const host = headers.host?.toLowerCase();
  const hosts = allowedHosts(port);
  if (!host || !hosts.includes(host)) {
    return { ok: false, message: `Host must be one of ${hosts.join(', ')}` };
  }
  const origin = headers.origin;
  if (origin !== undefined && !hosts.some((h) => origin.toLowerCase() === `http://${h}`)) {
    return { ok: false, message: 'requests from other origins are refused' };
  }
  return { ok: true };
}

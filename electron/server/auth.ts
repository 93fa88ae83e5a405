import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { EVENTS_PROTOCOL } from '../../shared/contract.ts';

/** 256 bits, URL-safe, so it can sit in the printed URL as is. */
export function createToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Both sides are hashed first: timingSafeEqual needs equal lengths, and comparing digests keeps the
 * length of the real token from leaking through an early return.
 */
export function tokensEqual(candidate: string, token: string): boolean {
  const a = createHash('sha256').update(candidate, 'utf8').digest();
  const b = createHash('sha256').update(token, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/**
 * The token a request presents: `Authorization: Bearer` on calls, or the event socket's second
 * subprotocol. Never a cookie: a browser sends cookies for 127.0.0.1 to every port on it, so any other
 * local server the operator's browser visits would receive it.
 */
export function presentedToken(req: Pick<IncomingMessage, 'headers'>): string | null {
  const auth = req.headers.authorization;
  if (auth) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (match?.[1]) return match[1];
  }
  // A browser sets no headers on a WebSocket: the token rides as the second subprotocol.
  const protocols = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  if (protocols[0] === EVENTS_PROTOCOL && protocols[1]) return protocols[1];
  return null;
}

export function isAuthorized(req: Pick<IncomingMessage, 'headers'>, token: string): boolean {
  const presented = presentedToken(req);
  return presented !== null && tokensEqual(presented, token);
}

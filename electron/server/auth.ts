import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const TOKEN_COOKIE = 'opsdeck_token';

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

export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (!header) return cookies;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const key = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    // The first occurrence wins, as browsers send the most specific cookie first.
    if (key && !cookies.has(key)) cookies.set(key, value);
  }
  return cookies;
}

export function tokenCookie(token: string): string {
  return `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}

/** The token a request presents: the session cookie, or `Authorization: Bearer` for scripts. */
export function presentedToken(req: IncomingMessage): string | null {
  const auth = req.headers.authorization;
  if (auth) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (match?.[1]) return match[1];
  }
  return parseCookies(req.headers.cookie).get(TOKEN_COOKIE) ?? null;
}

export function isAuthorized(req: IncomingMessage, token: string): boolean {
  const presented = presentedToken(req);
  return presented !== null && tokensEqual(presented, token);
}

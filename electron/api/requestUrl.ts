import type { IncomingMessage } from 'node:http';

/**
 * The request's URL, resolved against `base`; null when its target is no URL at all (`//[/` throws in
 * `new URL`). Read before any check, so an unparsable target must be answered, never thrown: a throw in
 * a server's request or upgrade handler would end the process.
 */
export function requestUrl(req: IncomingMessage, base: string): URL | null {
  const target = req.url ?? '/';
  return URL.canParse(target, base) ? new URL(target, base) : null;
}

export const NOT_A_URL = 'the request target is not a valid URL path';

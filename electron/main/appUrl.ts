/**
 * The renderer is served from a custom scheme rather than file://: with the
 * grantFileProtocolExtraPrivileges fuse off, file:// pages cannot load ES module scripts, and a scheme
 * of our own serves only dist/renderer, never the rest of the disk.
 */
export const APP_SCHEME = 'opsdeck';
export const APP_HOST = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const RENDERER_URL = `${APP_ORIGIN}/index.html`;

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** Any document of our own origin: where in-app navigation may go. */
export function isAppUrl(url: string): boolean {
  const parsed = parse(url);
  return parsed !== null && parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST && parsed.username === '' && parsed.password === '';
}

/** Exactly our renderer's document (any hash route or query): the only frame allowed to call the API. */
export function isRendererUrl(url: string): boolean {
  const parsed = parse(url);
  return parsed !== null && isAppUrl(url) && (parsed.pathname === '/index.html' || parsed.pathname === '/');
}

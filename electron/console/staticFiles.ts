import { extname, resolve, sep } from 'node:path';

export type StaticTarget =
  | { kind: 'file'; path: string }
  /**
   * A path without an extension, which names no file: the desktop's protocol answers it with index.html;
   * the browser host, whose console routes by the hash, with a 404.
   */
  | { kind: 'app' }
  | { kind: 'forbidden' };

/**
 * Maps a URL path to a file under root. The path is decoded once, resolved, and must stay inside
 * root, so `..`, `%2e%2e`, `..%2f` and `..%5c` forms all land in `forbidden` rather than outside.
 */
export function resolveStaticPath(root: string, urlPath: string): StaticTarget {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return { kind: 'forbidden' };
  }
  if (decoded.includes('\0')) return { kind: 'forbidden' };
  const base = resolve(root);
  const segments = decoded.split(/[\\/]+/).filter((s) => s.length > 0);
  if (segments.some((s) => s === '..')) return { kind: 'forbidden' };
  const target = resolve(base, ...segments);
  if (target !== base && !target.startsWith(base + sep)) return { kind: 'forbidden' };
  if (target === base || segments.length === 0) return { kind: 'file', path: resolve(base, 'index.html') };
  const last = segments.at(-1) ?? '';
  if (last.startsWith('.')) return { kind: 'forbidden' };
  return extname(last) === '' ? { kind: 'app' } : { kind: 'file', path: target };
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

export function contentTypeFor(path: string): string {
  return TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/** Vite puts content-hashed files under assets/: they never change, everything else may. */
export function cacheControlFor(root: string, path: string): string {
  if (path.startsWith(resolve(root, 'assets') + sep)) return 'public, max-age=31536000, immutable';
  return 'no-cache';
}

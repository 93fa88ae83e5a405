import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { contentTypeFor, resolveStaticPath } from '../console/staticFiles.ts';
import { APP_HOST, APP_SCHEME } from './appUrl.ts';
import { RENDERER_CSP } from './window.ts';

function headers(type: string): Record<string, string> {
  return {
    'Content-Type': type,
    'Content-Security-Policy': RENDERER_CSP,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-cache',
  };
}

function notFound(): Response {
  return new Response('Not found', { status: 404, headers: headers('text/plain; charset=utf-8') });
}

/**
 * Answers `opsdeck://app/<path>` from the built renderer: the same path rules as the browser host
 * (no way out of the folder; paths that name no file get index.html).
 */
export function createAppProtocolHandler(root: string): (request: { url: string; method: string }) => Promise<Response> {
  return async (request) => {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return notFound();
    }
    if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST || (request.method !== 'GET' && request.method !== 'HEAD')) return notFound();
    const target = resolveStaticPath(root, url.pathname);
    if (target.kind === 'forbidden') return notFound();
    const path = target.kind === 'file' ? target.path : resolve(root, 'index.html');
    try {
      const body = await readFile(path);
      return new Response(request.method === 'HEAD' ? null : body, { status: 200, headers: headers(contentTypeFor(path)) });
    } catch {
      return notFound();
    }
  };
}

import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import { sendText } from './headers.ts';
import { cacheControlFor, contentTypeFor, resolveStaticPath } from '../console/staticFiles.ts';

const notAPage = (pathname: string) =>
  `Not found: ${pathname.slice(0, 200)}. This host serves the console at / (its pages are /#/jobs, /#/dlq, ...), ` +
  'health at /healthz (alive) and /readyz (ready), and the REST API under /v1 (GET /v1/health).\n';

const NOT_BUILT = 'The console is not built yet. Run `npm run build` and reload this page.\n';

async function readOrNull(path: string): Promise<Buffer | null> {
  try {
    return await readFile(path);
  } catch {
    return null;
  }
}

function send(req: IncomingMessage, res: ServerResponse, body: Buffer, type: string, cache: string): void {
  res.writeHead(200, { 'Content-Type': type, 'Content-Length': body.length, 'Cache-Control': cache });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/**
 * Serves the built renderer. The console routes by the hash (`/#/jobs`), so a path that names no file is
 * no page of it: a 404 that says where things are, never the console's page with a 200, which a health
 * probe's `curl -f http://host/health` would take for a healthy answer.
 */
export async function serveStatic(req: IncomingMessage, res: ServerResponse, root: string, pathname: string): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendText(res, 405, 'Method not allowed\n', { Allow: 'GET, HEAD' });
    return;
  }
  const target = resolveStaticPath(root, pathname);
  if (target.kind === 'forbidden') {
    sendText(res, 404, 'Not found\n');
    return;
  }
  if (target.kind === 'app') {
    sendText(res, 404, notAPage(pathname));
    return;
  }
  const body = await readOrNull(target.path);
  const isIndex = target.path === resolve(root, 'index.html');
  if (body) send(req, res, body, contentTypeFor(target.path), isIndex ? 'no-store' : cacheControlFor(root, target.path));
  else if (isIndex) sendText(res, 503, NOT_BUILT);
  else sendText(res, 404, target.path.endsWith('.html') ? notAPage(pathname) : 'Not found\n');
}

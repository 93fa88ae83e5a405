import type { IncomingMessage } from 'node:http';

export type Body = { ok: true; text: string } | { ok: false; tooLarge: boolean };

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** Reads at most maxBytes; past that it stops keeping data and reports the body as too large. */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Body> {
  return new Promise((resolveBody) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      resolveBody({ ok: false, tooLarge: true });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (body: Body) => {
      if (done) return;
      done = true;
      resolveBody(body);
    };
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > maxBytes) {
        chunks.length = 0;
        finish({ ok: false, tooLarge: true });
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => finish({ ok: true, text: Buffer.concat(chunks).toString('utf8') }));
    req.on('error', () => finish({ ok: false, tooLarge: false }));
    req.on('aborted', () => finish({ ok: false, tooLarge: false }));
  });
}

/** Absent counts as JSON: a POST without a body is a call without arguments. */
export function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return true;
  const type = header.split(';')[0]?.trim().toLowerCase();
  return type === 'application/json';
}

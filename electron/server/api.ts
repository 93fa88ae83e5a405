import type { IncomingMessage, ServerResponse } from 'node:http';
import { isCallName } from '../../shared/contract.ts';
import type { ApiErrorCode, ApiResponse } from '../../shared/contract.ts';
import { isJsonContentType, readBody } from '../rest/body.ts';
import { sendJson } from './headers.ts';

export type Dispatch = (name: string, input: unknown) => Promise<ApiResponse>;

export { DEFAULT_MAX_BODY_BYTES } from '../rest/body.ts';

const STATUS: Record<ApiErrorCode, number> = {
  invalid_input: 400,
  not_found: 404,
  conflict: 409,
  forbidden: 403,
  unavailable: 503,
  internal: 500,
};

export function statusFor(response: ApiResponse): number {
  return response.ok ? 200 : STATUS[response.error.code];
}

export function sendFailure(res: ServerResponse, status: number, code: ApiErrorCode, message: string, extra?: Record<string, string>): void {
  sendJson(res, status, { ok: false, error: { code, message } }, extra);
}

/**
 * `POST /api/call/<name>`: the body is the call's input as JSON (empty means `{}`). Validation and
 * the handler are the dispatcher's; this only frames HTTP around its ApiResponse.
 */
export async function handleApiCall(
  req: IncomingMessage,
  res: ServerResponse,
  name: string,
  opts: { dispatch: Dispatch; maxBodyBytes: number },
): Promise<void> {
  if (req.method !== 'POST') {
    sendFailure(res, 405, 'invalid_input', `use POST for /api/call/${name}`, { Allow: 'POST' });
    return;
  }
  if (!isCallName(name)) {
    sendFailure(res, 404, 'not_found', `unknown call "${name}"`);
    return;
  }
  // Requiring JSON also keeps plain HTML forms (which cannot send it) from posting here.
  if (!isJsonContentType(req.headers['content-type'])) {
    sendFailure(res, 415, 'invalid_input', 'the body must be JSON (Content-Type: application/json)');
    return;
  }
  const body = await readBody(req, opts.maxBodyBytes);
  if (!body.ok) {
    if (body.tooLarge) {
      sendFailure(res, 413, 'invalid_input', `the request body is larger than ${opts.maxBodyBytes} bytes`, { Connection: 'close' });
      // Drain what the client still sends so it reads our answer instead of a reset connection.
      req.resume();
    } else if (!res.headersSent) {
      res.destroy();
    }
    return;
  }
  let input: unknown = {};
  if (body.text.trim() !== '') {
    try {
      input = JSON.parse(body.text);
    } catch (error) {
      const detail = error instanceof Error ? error.message : 'not JSON';
      sendFailure(res, 400, 'invalid_input', `the request body is not valid JSON: ${detail}`);
      return;
    }
  }
  const response = await opts.dispatch(name, input);
  sendJson(res, statusFor(response), response);
}

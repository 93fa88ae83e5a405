import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import type { ApiError } from '../../shared/contract.ts';

/**
 * Every REST error answers `{ "error": { "code", "message", "issues"?, "action"? } }` with the status that
 * fits: what a script branches on is the status; what a person reads is the message.
 */
export const RestErrorCode = z.enum([
  'bad_request',
  'invalid_json',
  'invalid_input',
  'unauthorized',
  'forbidden',
  'not_found',
  'method_not_allowed',
  'conflict',
  'payload_too_large',
  'unsupported_media_type',
  'rate_limited',
  'unavailable',
  'internal',
]);
export type RestErrorCode = z.infer<typeof RestErrorCode>;

export const RestError = z.object({
  error: z.object({
    code: RestErrorCode,
    message: z.string(),
    /** For invalid_input: each problem with its path (`query.limit`, `reason`, …). */
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    // Described in the OpenAPI document too: a monitor deciding whether to page someone reads it there.
    action: z
      .string()
      .optional()
      .describe('For unavailable: what an operator must do before the store answers again (run opsdeck migrate, free disk, fix credentials); absent when the outage passes by itself. The message says it too.'),
  }),
});
export type RestError = z.infer<typeof RestError>;

export const REST_STATUS: Record<RestErrorCode, number> = {
  bad_request: 400,
  invalid_json: 400,
  invalid_input: 422,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

/** The contract's error codes as REST answers them: a schema-invalid payload is 422, not 400. */
export function fromApiError(error: ApiError): RestError {
  const code: RestErrorCode = error.code;
  return {
    error: {
      code,
      message: error.message,
      ...(error.issues ? { issues: error.issues } : {}),
      ...(error.action === undefined ? {} : { action: error.action }),
    },
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    ...extra,
  });
  res.end(text);
}

export function sendError(
  res: ServerResponse,
  code: RestErrorCode,
  message: string,
  extra: Record<string, string> = {},
  issues?: Array<{ path: string; message: string }>,
): void {
  sendJson(res, REST_STATUS[code], { error: issues ? { code, message, issues } : { code, message } }, extra);
}

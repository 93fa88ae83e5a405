import type { JsonObject, ResourceUsage } from '../../shared/domain.ts';
import { aborted, abortError, abortReason, attemptSignal, elapsed, errorMessage, failure, success } from './result.ts';
import { parseRetryAfter } from './retryAfter.ts';
import type { RunError, RunResult } from './runner.ts';
import { socketErrorText } from './socketWords.ts';

export interface HttpCall {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
  timeoutSeconds: number;
  /** The server dedupes by Idempotency-Key: a request that may have landed can be sent again. */
  idempotent: boolean;
  /** Seconds: a longer Retry-After fails the job as rate_limited rather than waiting. */
  maxRetryAfter: number;
  securityContext: JsonObject;
}

const EXCERPT_BYTES = 2048;
/** Stop reading a response past this: the excerpt is all that is kept. */
const MAX_READ_BYTES = 8 * 1024 * 1024;

/** Where a request went, without query or credentials (either may hold secrets). */
export function safeUrl(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

/** A registry's or payload's `path` as it may be shown: without its query or fragment (`/hook?token=…` is `/hook`). */
export function safePath(path: string): string {
  return path.replace(/[?#].*$/s, '');
}

async function readExcerpt(response: Response): Promise<{ excerpt: string; bytes: number }> {
  if (!response.body) return { excerpt: '', bytes: 0 };
  const reader = response.body.getReader();
  const kept: Uint8Array[] = [];
  let keptBytes = 0;
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (keptBytes < EXCERPT_BYTES) {
      const piece = value.subarray(0, EXCERPT_BYTES - keptBytes);
      kept.push(piece);
      keptBytes += piece.byteLength;
    }
    if (bytes >= MAX_READ_BYTES) {
      await reader.cancel();
      break;
    }
  }
  return { excerpt: Buffer.concat(kept).toString('utf8'), bytes };
}

const RETRYABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

function causeCode(error: unknown): string {
  let current: unknown = error;
  for (let i = 0; i < 4 && current instanceof Error; i++) {
    if ('code' in current && typeof current.code === 'string') return current.code;
    current = current.cause;
  }
  return '';
}

function connectionError(error: unknown, call: HttpCall): RunError {
  const code = causeCode(error);
  const where = `${call.method} ${safeUrl(call.url)}`;
  if (code.startsWith('ERR_TLS') || code.includes('CERT') || code === 'DEPTH_ZERO_SELF_SIGNED_CERT') {
    return { message: `TLS error calling ${where}: ${code}`, error_class: 'tls', retryable: false };
  }
  const detail = code ? socketErrorText(code) : errorMessage(error);
  const retryable = code === '' || RETRYABLE_CODES.has(code);
  return { message: `connection failed calling ${where}: ${detail}`, error_class: 'connection', retryable };
}

function firstLine(text: string): string {
  const line = text.split(/\r?\n/).find((l) => l.trim() !== '')?.trim() ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

/**
 * Whether an answer's Retry-After fails a job as `rate_limited`, not retried, rather than being waited out:
 * a 429 or 503 asking longer than max_retry_after (seconds, fractions too), compared in milliseconds as
 * parseRetryAfter reads it. test-connectivity asks the same, so it names the class the jobs will meet.
 */
export function rateLimitedPastMax(status: number, retryAfterMs: number | null, maxRetryAfterS: number): boolean {
  return (status === 429 || status === 503) && retryAfterMs !== null && retryAfterMs > maxRetryAfterS * 1000;
}

/** What a status means for the job: done, retry (maybe after a wait the server named), or give up. */
export function classifyStatus(status: number, retryAfterMs: number | null, call: HttpCall, excerpt: string): RunError | null {
  if (status >= 200 && status < 300) return null;
  const where = `${call.method} ${safeUrl(call.url)}`;
  const said = firstLine(excerpt);
  const message = `HTTP ${status} from ${where}${said ? `: ${said}` : ''}`;
  const error_class = `http_${status}`;
  if ((status === 429 || status === 503) && retryAfterMs !== null) {
    if (rateLimitedPastMax(status, retryAfterMs, call.maxRetryAfter)) {
      const when = new Date(Date.now() + retryAfterMs).toISOString();
      return {
        message: `rate limited by ${call.url.host}: may run again after ${when} (Retry-After ${Math.ceil(retryAfterMs / 1000)}s exceeds max_retry_after ${call.maxRetryAfter}s)`,
        error_class: 'rate_limited',
        retryable: false,
      };
    }
    return { message, error_class, retryable: true, retry_after_ms: retryAfterMs };
  }
  if (status === 408 || status === 429 || status >= 500) return { message, error_class, retryable: true };
  return { message, error_class, retryable: false };
}

/**
 * One HTTP request of a job, classified. Connection failures, 408, 429 and 5xx are retryable; other
 * 3xx/4xx are the request's own fault. A timeout on a POST or PATCH is not retried unless the service says
 * the server is idempotent: the request may have been applied, and a second one could apply it twice.
 */
export async function httpCall(call: HttpCall): Promise<RunResult> {
  const started = process.hrtime.bigint();
  const deadline = attemptSignal(call.signal, call.timeoutSeconds);
  const usage = (extra: ResourceUsage = {}): ResourceUsage => ({ duration_ms: elapsed(started), ...extra });
  const context = call.securityContext;
  try {
    let response: Response;
    try {
      response = await fetch(call.url, {
        method: call.method,
        headers: call.headers,
        body: call.body,
        signal: deadline.signal,
        redirect: 'manual',
      });
    } catch (error) {
      if (deadline.signal.aborted) return abortedCall(call, abortReason(deadline.signal), { resource_usage: usage(), security_context: context });
      return failure(connectionError(error, call), { resource_usage: usage(), security_context: context });
    }
    let body: { excerpt: string; bytes: number };
    try {
      body = await readExcerpt(response);
    } catch (error) {
      const extras = { resource_usage: usage({ http_status: response.status }), security_context: context };
      if (deadline.signal.aborted) return abortedCall(call, abortReason(deadline.signal), extras);
      return failure(connectionError(error, call), extras);
    }
    const tail = `HTTP ${response.status}\n${body.excerpt}`;
    const extras = {
      output_tail: tail,
      resource_usage: usage({ http_status: response.status, response_bytes: body.bytes }),
      security_context: context,
    };
    const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
    const error = classifyStatus(response.status, retryAfter, call, body.excerpt);
    return error ? failure(error, extras) : success(extras);
  } finally {
    deadline.dispose();
  }
}

const NOT_IDEMPOTENT = new Set(['POST', 'PATCH']);

/**
 * A timeout names the call, as a connection failure does ("timed out after 2s calling GET
 * http://host/path"): the job's error alone says which upstream hung.
 */
function abortedCall(call: HttpCall, reason: ReturnType<typeof abortReason>, extras: Parameters<typeof failure>[1]): RunResult {
  const result = aborted(reason, call.timeoutSeconds, extras);
  if (reason !== 'timeout') return result;
  const base = abortError('timeout', call.timeoutSeconds);
  const where = `${call.method} ${safeUrl(call.url)}`;
  if (call.idempotent || !NOT_IDEMPOTENT.has(call.method)) return { ...result, error: { ...base, message: `${base.message} calling ${where}` } };
  return {
    ...result,
    error: {
      message: `${where} ${base.message} waiting for the response; not retried because it may have been applied (set idempotent: true if the server honours Idempotency-Key)`,
      error_class: 'timeout',
      retryable: false,
    },
  };
}

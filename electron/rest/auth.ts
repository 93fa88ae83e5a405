import type { IncomingMessage } from 'node:http';
import type { ApiKeyRecord } from '../../shared/apiKey.ts';
import { checkKey, looksLikeKey } from '../api/apiKeys.ts';
import type { Store } from '../store/store.ts';
import type { FailureThrottle } from './throttle.ts';

/** Who a request acts as: the browser host's own session (its launch token), or an API key. */
export type Principal = { kind: 'session' } | { kind: 'key'; key: ApiKeyRecord };

/** Why a request was not signed in, for the audit log: never the secret, only a key's public id (`odk_` and 12 hex digits). */
export interface AuthFailure {
  reason: 'no_key' | 'bad_header' | 'not_a_key' | 'malformed' | 'unknown' | 'expired';
  key_prefix: string | null;
}

export type AuthResult =
  | { ok: true; principal: Principal }
  | { ok: false; code: 'unauthorized'; message: string; failure: AuthFailure }
  | { ok: false; code: 'rate_limited'; message: string; retryAfterS: number };

/** The public part of what looks like a key, the id `api-key list` shows beside its name; null for anything else. */
function keyPrefix(credential: string): string | null {
  return /^odk_[0-9a-f]{12}/.exec(credential)?.[0] ?? null;
}

export interface AuthOptions {
  store: Store;
  throttle: FailureThrottle;
  /** The client's address, as the throttle counts it. */
  address: string;
  /** The browser host's check of its launch token (as a Bearer header); absent on `opsdeck api`. */
  isSession?: (req: Pick<IncomingMessage, 'headers'>) => boolean;
}

/** The credential of an `Authorization: Bearer <credential>` header; null without the header. */
function bearer(req: Pick<IncomingMessage, 'headers'>): { credential: string } | { problem: string } | null {
  const header = req.headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (match?.[1]) return { credential: match[1] };
  const words = header.trim().split(/\s+/);
  const [scheme] = words;
  if (scheme?.toLowerCase() === 'bearer') {
    return { problem: words.length === 1 ? 'the Authorization header has no key after Bearer' : 'the Authorization header has more than one word after Bearer: send Authorization: Bearer <key>' };
  }
  if (words.length === 1) return { problem: 'the Authorization header has no scheme: send Authorization: Bearer <key>' };
  return { problem: `the Authorization header uses the scheme "${(scheme ?? '').slice(0, 20)}": send Authorization: Bearer <key>` };
}

/**
 * Who is asking. No credential at all is a plain 401 (a script without its key guesses nothing); a
 * wrong one counts against the address, and an address that failed too often is turned away with 429
 * before its credential is even looked at.
 */
export async function authenticate(req: Pick<IncomingMessage, 'headers'>, opts: AuthOptions): Promise<AuthResult> {
  const wait = opts.throttle.retryAfter(opts.address);
  if (wait > 0) return { ok: false, code: 'rate_limited', message: `too many failed attempts from ${opts.address}: try again in ${wait}s`, retryAfterS: wait };
  if (opts.isSession?.(req)) return { ok: true, principal: { kind: 'session' } };
  const presented = bearer(req);
  if (presented === null) {
    return { ok: false, code: 'unauthorized', message: 'no API key: send Authorization: Bearer <key> (opsdeck api-key create makes one)', failure: { reason: 'no_key', key_prefix: null } };
  }
  if ('problem' in presented) {
    opts.throttle.failed(opts.address);
    return { ok: false, code: 'unauthorized', message: presented.problem, failure: { reason: 'bad_header', key_prefix: null } };
  }
  if (looksLikeKey(presented.credential)) {
    const checked = await checkKey(opts.store, presented.credential);
    if (checked.ok) {
      opts.throttle.succeeded(opts.address);
      return { ok: true, principal: { kind: 'key', key: checked.key } };
    }
    opts.throttle.failed(opts.address);
    return { ok: false, code: 'unauthorized', message: checked.message, failure: { reason: checked.reason, key_prefix: keyPrefix(presented.credential) } };
  }
  opts.throttle.failed(opts.address);
  return {
    ok: false,
    code: 'unauthorized',
    message: 'this is not a valid API key (they start with odk_): check the Authorization header',
    failure: { reason: 'not_a_key', key_prefix: null },
  };
}

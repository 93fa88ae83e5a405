import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { keyExpired, type ApiKeyRecord } from '../../shared/apiKey.ts';
import type { Store } from '../store/store.ts';
import type { NewApiKey } from '../store/apiKeyStore.ts';

/**
 * API keys as presented and as kept. A key reads `odk_<key_id>_<secret>`: the 12-hex-digit key_id is
 * public (it finds the stored row and tells keys apart in logs), the 43-character secret is 256 random
 * bits of which the store keeps only a SHA-256. A slow password hash would buy nothing here: nobody can
 * guess 256 random bits, and the check runs on every request.
 */

const PREFIX = 'odk_';
const KEY_PATTERN = /^odk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

export interface GeneratedKey {
  /** The whole key, to show once. */
  secret: string;
  stored: Omit<NewApiKey, 'name' | 'scope' | 'expires_at'>;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function generateKey(): GeneratedKey {
  const keyId = randomBytes(6).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { secret: `${PREFIX}${keyId}_${secret}`, stored: { key_id: keyId, secret_hash: hashSecret(secret) } };
}

/** Whether text looks like one of our keys (a launch token or anything else does not). */
export function looksLikeKey(text: string): boolean {
  return text.startsWith(PREFIX);
}

export type KeyCheck =
  | { ok: true; key: ApiKeyRecord }
  | { ok: false; reason: 'malformed' | 'unknown' | 'expired'; message: string };

/** Compared against when no row matches, so an unknown key id costs the same work as a wrong secret. */
const DECOY_HASH = hashSecret('opsdeck decoy secret');

function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Checks a presented key against the store, in constant time over the secret; notes its use when good. */
export async function checkKey(store: Store, presented: string, now = Date.now()): Promise<KeyCheck> {
  const match = KEY_PATTERN.exec(presented);
  const keyId = match?.[1];
  const secret = match?.[2];
  if (!keyId || !secret) {
    return { ok: false, reason: 'malformed', message: 'this API key is cut or mistyped: a key is odk_, 12 hex digits, _ and 43 more characters, as api-key create printed it' };
  }
  const stored = await store.findApiKey(keyId);
  const good = sameHash(hashSecret(secret), stored?.secret_hash ?? DECOY_HASH);
  if (!stored || !good) return { ok: false, reason: 'unknown', message: 'this API key is not valid: it was revoked, or never existed' };
  if (keyExpired(stored, now)) {
    return { ok: false, reason: 'expired', message: `the API key "${stored.name}" expired at ${stored.expires_at}` };
  }
  await store.touchApiKey(keyId);
  const { secret_hash: _hash, ...key } = stored;
  return { ok: true, key };
}

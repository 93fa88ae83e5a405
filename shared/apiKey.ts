import { z } from 'zod';
import { Timestamp } from './domain.ts';

/**
 * `read` keys see the jobs and the fleet and change nothing; `operate` keys may also act (retry, stop, tune...),
 * and see what shows a host's configuration or uses a service's credential (a diagnosis, a support bundle,
 * a token check).
 */
export const ApiKeyScope = z.enum(['read', 'operate']);
export type ApiKeyScope = z.infer<typeof ApiKeyScope>;

/** A key's name: what the audit log shows as the actor of what it did. */
export const ApiKeyName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a key name is letters, digits, dot, dash or underscore, starting with a letter or digit');

/** A key as the store keeps it, without its hash. */
export const ApiKeyRecord = z.object({
  name: z.string(),
  scope: ApiKeyScope,
  /** The public part of the key (`odk_<key_id>_…`): tells keys apart in logs without revealing them. */
  key_id: z.string(),
  created_at: Timestamp,
  created_by: z.string(),
  expires_at: Timestamp.nullable(),
  last_used_at: Timestamp.nullable(),
});
export type ApiKeyRecord = z.infer<typeof ApiKeyRecord>;

/** Whether a key's time is up: from then on it is refused (401), though it stays listed until revoked. */
export function keyExpired(key: Pick<ApiKeyRecord, 'expires_at'>, now: number): boolean {
  return key.expires_at !== null && Date.parse(key.expires_at) <= now;
}

/** What anyone may see of a key: never the key, never its hash. */
export const ApiKeyView = ApiKeyRecord.extend({
  /** Derived at read time: `expires_at` has passed, so the key is refused; revoke it, or make another. */
  expired: z.boolean(),
});
export type ApiKeyView = z.infer<typeof ApiKeyView>;

export function apiKeyView(key: ApiKeyRecord, now: number): ApiKeyView {
  return { ...key, expired: keyExpired(key, now) };
}

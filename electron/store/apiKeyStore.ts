import type { Actor } from '../../shared/domain.ts';
import type { ApiKeyScope, ApiKeyRecord } from '../../shared/apiKey.ts';

/** The Store's API keys (apiKeys.ts of each dialect). */
export interface ApiKeyStore {
  /** Adds a key and audits it (`api_key.create`); null when a key of that name exists. */
  createApiKey(key: NewApiKey, actor: Actor): Promise<ApiKeyRecord | null>;
  /** Every key, by name; never the secret's hash. */
  listApiKeys(): Promise<ApiKeyRecord[]>;
  /** The key with this public id and its secret's hash, for checking a presented key. */
  findApiKey(keyId: string): Promise<StoredApiKey | null>;
  /** Notes that the key was used now; written at most once a minute per key. */
  touchApiKey(keyId: string): Promise<void>;
  /** Deletes the key of that name and audits it (`api_key.revoke`); the key as it was, null when none. */
  revokeApiKey(name: string, actor: Actor): Promise<ApiKeyRecord | null>;
}

export interface NewApiKey {
  key_id: string;
  name: string;
  scope: ApiKeyScope;
  secret_hash: string;
  expires_at: string | null;
}

export interface StoredApiKey extends ApiKeyRecord {
  secret_hash: string;
}

import { ApiKeyRecord } from '../../../shared/apiKey.ts';
import type { Actor } from '../../../shared/domain.ts';
import { actorName } from '../actor.ts';
import type { NewApiKey, StoredApiKey } from '../apiKeyStore.ts';
import { now } from './db.ts';
import type { Connection, SqliteDb } from './db.ts';

/** API keys (migration 0008): only a hash of each secret is kept; adding and revoking are audited. */

const COLUMNS = 'key_id, name, scope, created_at, created_by, expires_at, last_used_at';

/** A key's last use is written at most this often: a busy script must not write on every request. */
const TOUCH_EVERY_MS = 60_000;

interface KeyRow {
  key_id: string;
  name: string;
  scope: string;
  created_at: string;
  created_by: string;
  expires_at: string | null;
  last_used_at: string | null;
}

function prepare(db: Connection) {
  return {
    insert: db.prepare<[string, string, string, string, string, string, string | null]>(
      `INSERT INTO tb_api_key (key_id, name, scope, secret_hash, created_at, created_by, expires_at)
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    ),
    byName: db.prepare<[string], KeyRow>(`SELECT ${COLUMNS} FROM tb_api_key WHERE name = ?`),
    byId: db.prepare<[string], KeyRow & { secret_hash: string }>(`SELECT ${COLUMNS}, secret_hash FROM tb_api_key WHERE key_id = ?`),
    all: db.prepare<[], KeyRow>(`SELECT ${COLUMNS} FROM tb_api_key ORDER BY name`),
    touch: db.prepare<[string, string, string]>(
      `UPDATE tb_api_key SET last_used_at = ? WHERE key_id = ? AND (last_used_at IS NULL OR last_used_at < ?)`,
    ),
    remove: db.prepare<[string]>(`DELETE FROM tb_api_key WHERE name = ?`),
  };
}

export class SqliteApiKeys {
  readonly #db: SqliteDb;
  readonly #s: ReturnType<typeof prepare>;

  constructor(db: SqliteDb) {
    this.#db = db;
    this.#s = prepare(db.connection);
  }

  create(key: NewApiKey, actor: Actor): ApiKeyRecord | null {
    return this.#db.guard(() =>
      this.#db.write(() => {
        const at = now();
        const by = actorName(actor);
        const inserted = this.#s.insert.run(key.key_id, key.name, key.scope, key.secret_hash, at, by, key.expires_at).changes > 0;
        if (!inserted) return null;
        this.#db.audit(at, actor, 'api_key.create', key.name, null, { scope: key.scope, key_id: key.key_id, expires_at: key.expires_at });
        return this.#view(this.#s.byName.get(key.name));
      }),
    );
  }

  list(): ApiKeyRecord[] {
    return this.#db.guard(() => this.#s.all.all().map((row) => ApiKeyRecord.parse(row)));
  }

  find(keyId: string): StoredApiKey | null {
    return this.#db.guard(() => {
      const row = this.#s.byId.get(keyId);
      return row ? { ...ApiKeyRecord.parse(row), secret_hash: row.secret_hash } : null;
    });
  }

  touch(keyId: string): void {
    const at = Date.now();
    this.#db.guard(() => this.#s.touch.run(new Date(at).toISOString(), keyId, new Date(at - TOUCH_EVERY_MS).toISOString()));
  }

  revoke(name: string, actor: Actor): ApiKeyRecord | null {
    return this.#db.guard(() =>
      this.#db.write(() => {
        const before = this.#s.byName.get(name);
        if (!before) return null;
        this.#s.remove.run(name);
        this.#db.audit(now(), actor, 'api_key.revoke', name, null, { scope: before.scope, key_id: before.key_id });
        return this.#view(before);
      }),
    );
  }

  #view(row: KeyRow | undefined): ApiKeyRecord | null {
    return row ? ApiKeyRecord.parse(row) : null;
  }
}


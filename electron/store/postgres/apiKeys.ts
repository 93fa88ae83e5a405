import { z } from 'zod';
import { ApiKeyRecord } from '../../../shared/apiKey.ts';
import type { Actor } from '../../../shared/domain.ts';
import { actorName } from '../actor.ts';
import type { NewApiKey, StoredApiKey } from '../apiKeyStore.ts';
import type { PgDb } from './db.ts';
import { rowsOf } from './db.ts';
import { writeAudit } from './operator.ts';
import { noNul } from './text.ts';

/** API keys (migration 0011), shared by every host of the fleet: only a hash of each secret is kept. */

const COLUMNS = 'key_id, name, scope, created_at, created_by, expires_at, last_used_at';

/** A key's last use is written at most this often: a busy script must not write on every request. */
const TOUCH_EVERY_MS = 60_000;

export function createApiKey(db: PgDb, key: NewApiKey, actor: Actor): Promise<ApiKeyRecord | null> {
  return db.tx(async (client) => {
    const rows = await rowsOf(
      client,
      `INSERT INTO jobs.tb_api_key (key_id, name, scope, secret_hash, created_by, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING ${COLUMNS}`,
      [key.key_id, key.name, key.scope, key.secret_hash, noNul(actorName(actor)), key.expires_at],
    );
    if (!rows[0]) return null;
    await writeAudit(client, actorName(actor), 'api_key.create', key.name, null, { scope: key.scope, key_id: key.key_id, expires_at: key.expires_at });
    return ApiKeyRecord.parse(rows[0]);
  });
}

export async function listApiKeys(db: PgDb): Promise<ApiKeyRecord[]> {
  return (await db.read(`SELECT ${COLUMNS} FROM jobs.tb_api_key ORDER BY name`)).map((row) => ApiKeyRecord.parse(row));
}

export async function findApiKey(db: PgDb, keyId: string): Promise<StoredApiKey | null> {
  const row = (await db.read(`SELECT ${COLUMNS}, secret_hash FROM jobs.tb_api_key WHERE key_id = $1`, [keyId]))[0];
  return row ? { ...ApiKeyRecord.parse(row), secret_hash: z.string().parse(row.secret_hash) } : null;
}

export async function touchApiKey(db: PgDb, keyId: string): Promise<void> {
  await db.query(
    `UPDATE jobs.tb_api_key SET last_used_at = now()
     WHERE key_id = $1 AND (last_used_at IS NULL OR last_used_at < now() - $2::float8 * interval '1 millisecond')`,
    [keyId, TOUCH_EVERY_MS],
  );
}

export function revokeApiKey(db: PgDb, name: string, actor: Actor): Promise<ApiKeyRecord | null> {
  return db.tx(async (client) => {
    const rows = await rowsOf(client, `DELETE FROM jobs.tb_api_key WHERE name = $1 RETURNING ${COLUMNS}`, [name]);
    const row = rows[0];
    if (!row) return null;
    const gone = ApiKeyRecord.parse(row);
    await writeAudit(client, actorName(actor), 'api_key.revoke', name, null, { scope: gone.scope, key_id: gone.key_id });
    return gone;
  });
}

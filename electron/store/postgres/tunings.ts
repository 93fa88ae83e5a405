import type { Actor, JsonObject } from '../../../shared/domain.ts';
import { actorName } from '../actor.ts';
import type { Tuning, TuningTable } from '../tuningTables.ts';
import type { PgDb } from './db.ts';
import { rowsOf } from './db.ts';
import { reasonOf, writeAudit } from './operator.ts';
import { CHANNEL } from './signals.ts';
import { jsonNoNul } from './text.ts';

/**
 * Settings tuned at run time: breakers (migration 0011) and rate limits (0029). A change is announced on
 * the breakers channel in its own transaction, so every worker reloads them as soon as (and only if) it
 * commits.
 */

const COLUMNS = 'service_name, settings, set_by, set_at, reason';

export async function listTunings<T extends Tuning>(db: PgDb, kind: TuningTable<T>): Promise<T[]> {
  return (await db.engineQuery(`SELECT ${COLUMNS} FROM jobs.${kind.table} ORDER BY service_name`)).map((row) => kind.schema.parse(row));
}

/**
 * Merges `settings` into the service's tuning key by key, or forgets it (null); audited, with `details`
 * besides. A change given no reason keeps the one the tuning had: it still says why the service is tuned.
 */
export function tune<T extends Tuning>(
  db: PgDb,
  kind: TuningTable<T>,
  service: string,
  settings: T['settings'] | null,
  actor: Actor,
  reason: string | null,
  details: JsonObject,
): Promise<T | null> {
  const why = reasonOf(reason);
  const by = actorName(actor);
  const table = `jobs.${kind.table}`;
  return db.tx(async (client) => {
    const before = await rowsOf(client, `SELECT ${COLUMNS} FROM ${table} WHERE service_name = $1 FOR UPDATE`, [service]);
    const previous = before[0] ? kind.schema.parse(before[0]).settings : {};
    let after: T | null = null;
    if (settings === null) {
      await client.query(`DELETE FROM ${table} WHERE service_name = $1`, [service]);
    } else {
      const rows = await rowsOf(
        client,
        `INSERT INTO ${table} (service_name, settings, set_by, set_at, reason) VALUES ($1, $2::jsonb, $3, now(), $4)
         ON CONFLICT (service_name) DO UPDATE SET settings = EXCLUDED.settings, set_by = EXCLUDED.set_by, set_at = EXCLUDED.set_at,
           reason = coalesce(EXCLUDED.reason, ${table}.reason)
         RETURNING ${COLUMNS}`,
        [service, jsonNoNul({ ...previous, ...settings }), by, why],
      );
      after = rows[0] ? kind.schema.parse(rows[0]) : null;
    }
    await writeAudit(client, by, kind.action, service, null, { reason: why, from: previous, to: after?.settings ?? null, ...details });
    await client.query('SELECT pg_notify($1, $2)', [CHANNEL, 'breakers']);
    return after;
  });
}

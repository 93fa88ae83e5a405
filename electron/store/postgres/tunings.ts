import type { Actor } from '../../../shared/domain.ts';
import { actorName } from '../actor.ts';
import { nextSettings, type Tuned, type Tuning, type TuningChange, type TuningTable } from '../tuningTables.ts';
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
 * Lays the change's settings over the service's tuning key by key, or forgets it; audited, with the
 * change's details besides. A change given no reason keeps the one the tuning had: it still says why the
 * service is tuned. Two operators tuning one service at once are taken one after the other: a row lock
 * cannot hold a service that has no row yet, so a transaction-scoped advisory lock on its name does.
 */
export function tune<T extends Tuning>(db: PgDb, kind: TuningTable<T>, service: string, change: TuningChange<T['settings']>, actor: Actor, reason: string | null): Promise<Tuned<T>> {
  const why = reasonOf(reason);
  const by = actorName(actor);
  const table = `jobs.${kind.table}`;
  return db.tx(async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${kind.table}:${service}`]);
    const rows = await rowsOf(client, `SELECT ${COLUMNS} FROM ${table} WHERE service_name = $1`, [service]);
    const current = rows[0] ? kind.schema.parse(rows[0]) : null;
    const stored = current?.settings ?? null;
    const { settings, details } = change(stored);
    const step = nextSettings(stored, settings);
    if (step === 'unchanged') return { tuning: current, changed: false };
    let after: T | null = null;
    if (step.next === null) {
      await client.query(`DELETE FROM ${table} WHERE service_name = $1`, [service]);
    } else {
      const written = await rowsOf(
        client,
        `INSERT INTO ${table} (service_name, settings, set_by, set_at, reason) VALUES ($1, $2::jsonb, $3, now(), $4)
         ON CONFLICT (service_name) DO UPDATE SET settings = EXCLUDED.settings, set_by = EXCLUDED.set_by, set_at = EXCLUDED.set_at,
           reason = coalesce(EXCLUDED.reason, ${table}.reason)
         RETURNING ${COLUMNS}`,
        [service, jsonNoNul(step.next), by, why],
      );
      after = written[0] ? kind.schema.parse(written[0]) : null;
    }
    await writeAudit(client, by, kind.action, service, null, { reason: why, from: stored ?? {}, to: after?.settings ?? null, ...details });
    await client.query('SELECT pg_notify($1, $2)', [CHANNEL, 'breakers']);
    return { tuning: after, changed: true };
  });
}

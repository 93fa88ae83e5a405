import { BreakerTuning } from '../../../shared/breakerTuning.ts';
import type { Actor } from '../../../shared/domain.ts';
import type { BreakerOverrides } from '../../../shared/registry.ts';
import { actorName } from '../actor.ts';
import type { PgDb } from './db.ts';
import { rowsOf } from './db.ts';
import { reasonOf, writeAudit } from './operator.ts';
import { CHANNEL } from './signals.ts';
import { jsonNoNul } from './text.ts';

/**
 * Breaker settings tuned at run time (migration 0011). A change is announced on the breakers channel in
 * its own transaction, so every worker reloads the settings as soon as (and only if) it commits.
 */

const COLUMNS = 'service_name, settings, set_by, set_at, reason';

export async function listBreakerTunings(db: PgDb): Promise<BreakerTuning[]> {
  return (await db.engineQuery(`SELECT ${COLUMNS} FROM jobs.tb_breaker_tuning ORDER BY service_name`)).map((row) => BreakerTuning.parse(row));
}

export function tuneBreaker(db: PgDb, service: string, settings: BreakerOverrides | null, actor: Actor, reason: string | null): Promise<BreakerTuning | null> {
  const why = reasonOf(reason);
  const by = actorName(actor);
  return db.tx(async (client) => {
    const before = await rowsOf(client, `SELECT ${COLUMNS} FROM jobs.tb_breaker_tuning WHERE service_name = $1 FOR UPDATE`, [service]);
    const previous = before[0] ? BreakerTuning.parse(before[0]).settings : {};
    let after: BreakerTuning | null = null;
    if (settings === null) {
      await client.query('DELETE FROM jobs.tb_breaker_tuning WHERE service_name = $1', [service]);
    } else {
      const rows = await rowsOf(
        client,
        `INSERT INTO jobs.tb_breaker_tuning (service_name, settings, set_by, set_at, reason) VALUES ($1, $2::jsonb, $3, now(), $4)
         ON CONFLICT (service_name) DO UPDATE SET settings = EXCLUDED.settings, set_by = EXCLUDED.set_by, set_at = EXCLUDED.set_at,
           reason = EXCLUDED.reason
         RETURNING ${COLUMNS}`,
        [service, jsonNoNul({ ...previous, ...settings }), by, why],
      );
      after = rows[0] ? BreakerTuning.parse(rows[0]) : null;
    }
    await writeAudit(client, by, 'breaker.tune', service, null, { reason: why, from: previous, to: after?.settings ?? null });
    await client.query('SELECT pg_notify($1, $2)', [CHANNEL, 'breakers']);
    return after;
  });
}

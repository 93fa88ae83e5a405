import type { CountDrift } from '../store.ts';
import { rowsOf } from './db.ts';
import type { PgDb } from './db.ts';

/** Upkeep of the derived tables: checking (and repairing) the kept counts against the jobs. */

const ACTUAL_COUNTS = `
  SELECT queue, service_name, status AS state, count(*) AS n FROM jobs.tb_job_run GROUP BY queue, service_name, status
  UNION ALL
  SELECT queue, service_name, 'dead_letter', count(*) FROM jobs.tb_job_run WHERE status = 'failed' AND resolved_at IS NULL
  GROUP BY queue, service_name`;

const DRIFT_SQL = `
WITH actual AS (${ACTUAL_COUNTS}),
kept AS (SELECT queue, service_name, state, sum(n) AS n FROM jobs.tb_job_count GROUP BY queue, service_name, state HAVING sum(n) <> 0),
keys AS (SELECT queue, service_name, state FROM actual UNION SELECT queue, service_name, state FROM kept)
SELECT k.queue, k.service_name, k.state, coalesce(kept.n, 0) AS kept, coalesce(actual.n, 0) AS actual
FROM keys k
LEFT JOIN kept USING (queue, service_name, state)
LEFT JOIN actual USING (queue, service_name, state)
WHERE coalesce(kept.n, 0) <> coalesce(actual.n, 0)
ORDER BY k.queue, k.service_name, k.state`;

function toDrift(row: Record<string, unknown>): CountDrift {
  return { queue: String(row.queue), service_name: String(row.service_name), state: String(row.state), kept: Number(row.kept), actual: Number(row.actual) };
}

/**
 * With `repair`, the counts are rebuilt under a lock that holds off every writer of the job table for the
 * moment it takes, so no move lands between the recount and the rewrite.
 */
export async function checkCounts(db: PgDb, repair: boolean): Promise<CountDrift[]> {
  if (!repair) return (await db.query(DRIFT_SQL)).map(toDrift);
  return db.tx(async (client) => {
    await client.query('LOCK TABLE jobs.tb_job_run IN SHARE MODE');
    const drift = (await rowsOf(client, DRIFT_SQL)).map(toDrift);
    if (drift.length > 0) {
      await client.query('DELETE FROM jobs.tb_job_count');
      await client.query(`INSERT INTO jobs.tb_job_count (queue, service_name, state, stripe, n) SELECT queue, service_name, state, -1, n FROM (${ACTUAL_COUNTS}) a`);
    }
    return drift;
  });
}

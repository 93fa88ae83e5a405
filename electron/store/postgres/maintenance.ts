import type { CountDrift } from '../store.ts';
import { rowsOf } from './db.ts';
import type { PgDb } from './db.ts';

/** Upkeep of the derived tables: checking (and repairing) the kept counts against the jobs. */

const KEY = `queue, service_name, execution_type, state, fingerprint`;

const ACTUAL_COUNTS = `
  SELECT queue, service_name, execution_type, status AS state, '' AS fingerprint, count(*) AS n
  FROM jobs.tb_job_run GROUP BY queue, service_name, execution_type, status
  UNION ALL
  SELECT queue, service_name, execution_type, 'dead_letter', coalesce(error_fingerprint, ''), count(*)
  FROM jobs.tb_job_run WHERE status = 'failed' AND resolved_at IS NULL
  GROUP BY queue, service_name, execution_type, coalesce(error_fingerprint, '')`;

const DRIFT_SQL = `
WITH actual AS (${ACTUAL_COUNTS}),
kept AS (SELECT ${KEY}, sum(n) AS n FROM jobs.tb_job_count GROUP BY ${KEY} HAVING sum(n) <> 0),
keys AS (SELECT ${KEY} FROM actual UNION SELECT ${KEY} FROM kept)
SELECT k.queue, k.service_name, k.execution_type, k.state, k.fingerprint, coalesce(kept.n, 0) AS kept, coalesce(actual.n, 0) AS actual
FROM keys k
LEFT JOIN kept USING (queue, service_name, execution_type, state, fingerprint)
LEFT JOIN actual USING (queue, service_name, execution_type, state, fingerprint)
WHERE coalesce(kept.n, 0) <> coalesce(actual.n, 0)
ORDER BY k.queue, k.service_name, k.execution_type, k.state, k.fingerprint`;

function toDrift(row: Record<string, unknown>): CountDrift {
  return {
    queue: String(row.queue),
    service_name: String(row.service_name),
    execution_type: String(row.execution_type),
    state: String(row.state),
    fingerprint: String(row.fingerprint),
    kept: Number(row.kept),
    actual: Number(row.actual),
  };
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
      await client.query(`INSERT INTO jobs.tb_job_count (${KEY}, stripe, n) SELECT ${KEY}, -1, n FROM (${ACTUAL_COUNTS}) a`);
    }
    return drift;
  });
}

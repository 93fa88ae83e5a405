import type { CountDrift } from '../store.ts';
import type { Connection, SqliteDb } from './db.ts';

/** Upkeep of the derived tables: checking (and repairing) the kept counts against the jobs. */

const KEY = `queue, service_name, execution_type, state, fingerprint`;

const ACTUAL_COUNTS = `
  SELECT queue, service_name, execution_type, status AS state, '' AS fingerprint, count(*) AS n
  FROM tb_job_run GROUP BY queue, service_name, execution_type, status
  UNION ALL
  SELECT queue, service_name, execution_type, 'dead_letter', coalesce(error_fingerprint, ''), count(*)
  FROM tb_job_run WHERE status = 'failed' AND resolved_at IS NULL
  GROUP BY queue, service_name, execution_type, coalesce(error_fingerprint, '')`;

function prepareMaintenanceStatements(db: Connection) {
  return {
    drift: db.prepare<[], CountDrift>(
      `WITH actual AS (${ACTUAL_COUNTS}),
       kept AS (SELECT ${KEY}, n FROM tb_job_count WHERE n <> 0),
       keys AS (SELECT ${KEY} FROM actual UNION SELECT ${KEY} FROM kept)
       SELECT k.queue, k.service_name, k.execution_type, k.state, k.fingerprint,
              coalesce(kept.n, 0) AS kept, coalesce(actual.n, 0) AS actual
       FROM keys k
       LEFT JOIN kept USING (${KEY})
       LEFT JOIN actual USING (${KEY})
       WHERE coalesce(kept.n, 0) <> coalesce(actual.n, 0)
       ORDER BY k.queue, k.service_name, k.execution_type, k.state, k.fingerprint`,
    ),
    clearCounts: db.prepare(`DELETE FROM tb_job_count`),
    recount: db.prepare(`INSERT INTO tb_job_count (${KEY}, n) ${ACTUAL_COUNTS}`),
  };
}

export class SqliteMaintenance {
  readonly #db: SqliteDb;
  readonly #s: ReturnType<typeof prepareMaintenanceStatements>;

  constructor(db: SqliteDb) {
    this.#db = db;
    this.#s = prepareMaintenanceStatements(db.connection);
  }

  checkCounts(repair: boolean): CountDrift[] {
    return this.#db.guard(() => {
      if (!repair) return this.#s.drift.all();
      return this.#db.write(() => {
        const drift = this.#s.drift.all();
        if (drift.length > 0) {
          this.#s.clearCounts.run();
          this.#s.recount.run();
        }
        return drift;
      });
    });
  }
}

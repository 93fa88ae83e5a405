import type { CountDrift } from '../store.ts';
import type { Connection, SqliteDb } from './db.ts';

/** Upkeep of the derived tables: checking (and repairing) the kept counts against the jobs. */

const ACTUAL_COUNTS = `
  SELECT queue, service_name, status AS state, count(*) AS n FROM tb_job_run GROUP BY queue, service_name, status
  UNION ALL
  SELECT queue, service_name, 'dead_letter', count(*) FROM tb_job_run WHERE status = 'failed' AND resolved_at IS NULL
  GROUP BY queue, service_name`;

function prepareMaintenanceStatements(db: Connection) {
  return {
    drift: db.prepare<[], CountDrift>(
      `WITH actual AS (${ACTUAL_COUNTS}),
       kept AS (SELECT queue, service_name, state, n FROM tb_job_count WHERE n <> 0),
       keys AS (SELECT queue, service_name, state FROM actual UNION SELECT queue, service_name, state FROM kept)
       SELECT k.queue, k.service_name, k.state, coalesce(kept.n, 0) AS kept, coalesce(actual.n, 0) AS actual
       FROM keys k
       LEFT JOIN kept USING (queue, service_name, state)
       LEFT JOIN actual USING (queue, service_name, state)
       WHERE coalesce(kept.n, 0) <> coalesce(actual.n, 0)
       ORDER BY k.queue, k.service_name, k.state`,
    ),
    clearCounts: db.prepare(`DELETE FROM tb_job_count`),
    recount: db.prepare(`INSERT INTO tb_job_count (queue, service_name, state, n) ${ACTUAL_COUNTS}`),
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

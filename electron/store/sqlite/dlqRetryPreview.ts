import type BetterSqlite3 from 'better-sqlite3';
import { BreakerMode, BreakerState } from '../../../shared/domain.ts';
import type { DlqSelector } from '../../../shared/domain.ts';
import { AUDITED_JOB_IDS } from '../auditDetails.ts';
import { heldByBreakers, lanesOf, type DlqRetryPreview } from '../failureStore.ts';
import type { SqliteDb } from './db.ts';
import { dlqWhere, plainWhere } from './filters.ts';
import type { Where } from './filters.ts';

interface MatchedRow {
  service_name: string;
  queue: string;
  jobs: number;
}

/**
 * A dry run of dlqRetry: in one read transaction, so one snapshot, it counts what the retry's own UPDATE
 * would send back (the same WHERE), per service beside the breakers and per queue, with the control plane
 * and which of the ids named are open dead letters at all, as the retry's answer and its handler say them.
 */
export class SqliteDlqRetryPreview {
  readonly #db: SqliteDb;
  readonly #matched = new Map<string, BetterSqlite3.Statement<unknown[], MatchedRow>>();
  readonly #openIds = new Map<string, BetterSqlite3.Statement<unknown[], number>>();
  readonly #firstIds = new Map<string, BetterSqlite3.Statement<unknown[], number>>();
  readonly #breakers: BetterSqlite3.Statement<[], { service_name: string; mode: string; state: string }>;

  constructor(db: SqliteDb) {
    this.#db = db;
    this.#breakers = db.connection.prepare(`SELECT service_name, mode, state FROM tb_breaker`);
  }

  preview(selector: DlqSelector): DlqRetryPreview {
    const selected = dlqWhere(selector);
    const where = plainWhere(selected);
    const matched = this.#db.cached(this.#matched, selected.key, () =>
      `SELECT service_name, queue, count(*) AS jobs FROM tb_job_run WHERE ${where.sql} GROUP BY service_name, queue`,
    );
    const firstIds = this.#db.cached(this.#firstIds, selected.key, () => `SELECT id FROM tb_job_run WHERE ${where.sql} ORDER BY id LIMIT ${AUDITED_JOB_IDS}`);
    const named = selector.job_ids === undefined ? null : dlqWhere({ job_ids: selector.job_ids });
    return this.#db.guard(() =>
      this.#db.read(() => {
        const rows = matched.all(...where.params);
        const byService = new Map<string, number>();
        for (const row of rows) byService.set(row.service_name, (byService.get(row.service_name) ?? 0) + row.jobs);
        const breakers = this.#breakers.all().map((b) => ({ service_name: b.service_name, mode: BreakerMode.parse(b.mode), state: BreakerState.parse(b.state) }));
        const count = rows.reduce((sum, row) => sum + row.jobs, 0);
        const jobIds = firstIds.pluck().all(...where.params);
        return {
          matched: count,
          held_by_breaker: heldByBreakers(byService, breakers),
          queues: [...new Set(rows.map((row) => row.queue))].sort(),
          control: this.#db.control(),
          open_ids: named === null ? null : this.#openIdsOf(named),
          job_ids: jobIds,
          job_ids_more: count - jobIds.length,
          lanes: lanesOf(rows),
        };
      }),
    );
  }

  #openIdsOf(named: Where): number[] {
    const where = plainWhere(named);
    const statement = this.#db.cached(this.#openIds, named.key, () => `SELECT id FROM tb_job_run WHERE ${where.sql} ORDER BY id`);
    return statement.pluck().all(...where.params);
  }
}

import type { Job } from '../../../shared/domain.ts';
import { clampLimit, decodeFailedCursor, encodeFailedCursor } from '../cursor.ts';
import type { Page, PageRequest } from '../store.ts';
import type { Connection } from './db.ts';
import { JOB_COLUMNS, toJob } from './rows.ts';
import type { JobRow } from './rows.ts';

/** Past every failure time and id: the first page starts below it. */
const NO_POSITION = { failed_at: '9999', id: Number.MAX_SAFE_INTEGER };

/**
 * One dead-letter group's open dead letters, newest failure first by (completed_at, id) below the cursor's
 * position: a backward walk of the group's entries in the index of failure times (migration 0015), which
 * end in the id, so a page reads its own rows and no more. A failed job's completed_at is its failure time.
 */
export class FailedPages {
  readonly #statement: ReturnType<typeof prepare>;

  constructor(db: Connection) {
    this.#statement = prepare(db);
  }

  /** The statement, for plan checks. */
  get statement(): ReturnType<typeof prepare> {
    return this.#statement;
  }

  page(fingerprint: string, page: PageRequest): Page<Job> {
    const from = decodeFailedCursor(page.after) ?? NO_POSITION;
    const limit = clampLimit(page.limit);
    const rows = this.#statement.all({ fingerprint, at: from.failed_at, id: from.id, limit: limit + 1 });
    const last = rows.length > limit ? rows[limit - 1] : undefined;
    return {
      items: rows.slice(0, limit).map(toJob),
      next_cursor: last && last.completed_at !== null ? encodeFailedCursor(last.completed_at, last.id) : null,
    };
  }
}

function prepare(db: Connection) {
  return db.prepare<[{ fingerprint: string; at: string; id: number; limit: number }], JobRow>(
    `SELECT ${JOB_COLUMNS} FROM tb_job_run INDEXED BY idx_tb_job_run_dlq_failed_at
     WHERE status = 'failed' AND resolved_at IS NULL AND error_fingerprint = @fingerprint
       AND completed_at <= @at AND (completed_at < @at OR id < @id)
     ORDER BY completed_at DESC, id DESC
     LIMIT @limit`,
  );
}

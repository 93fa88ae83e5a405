import type BetterSqlite3 from 'better-sqlite3';
import type { Job } from '../../../shared/domain.ts';
import { clampLimit, decodeCreatedCursor, encodeCreatedCursor } from '../cursor.ts';
import type { Page, PageRequest } from '../store.ts';
import type { SqliteDb } from './db.ts';
import type { StateArm, Where } from './filters.ts';
import { JOB_COLUMNS, toJob } from './rows.ts';
import type { JobRow } from './rows.ts';

/**
 * A state with at most this many jobs (of the filter's queue, service and types, by the kept counts) is
 * read whole through its own index and sorted, a few milliseconds; walking the creation-time index for it
 * would read every job of the range to find its few.
 */
export const FEW_IN_STATE = 10_000;

/** Past every creation time and id: the first page starts below it. */
const NO_POSITION = { created_at: '9999', id: Number.MAX_SAFE_INTEGER };

/** The index that holds exactly one state's jobs (migrations 0003, 0006, 0011, 0015). */
function stateIndex(state: string): string {
  if (state === 'pending') return 'idx_tb_job_run_claim';
  if (state === 'dead_letter') return 'idx_tb_job_run_dlq';
  return `idx_tb_job_run_${state}`;
}

/**
 * A listing with a creation-time range, newest created first by (created_at, id) below the cursor's
 * position. It walks the creation-time index (migration 0029, whose entries end in the id), so a range
 * long past costs what a recent one does. A state the filter names that holds few jobs is read through
 * its own index instead, and the states are merged: each arm comes out in (created_at, id) order, so the
 * merge reads no more of any arm than the page takes.
 */
export class CreatedPages {
  readonly #db: SqliteDb;
  readonly #statements = new Map<string, BetterSqlite3.Statement<unknown[], JobRow>>();

  constructor(db: SqliteDb) {
    this.#db = db;
  }

  /** `inState` says how many jobs of a state the filter can match at most (the kept counts). */
  page(where: Where, page: PageRequest, inState: (state: string) => number): Page<Job> {
    const from = decodeCreatedCursor(page.after) ?? NO_POSITION;
    const limit = clampLimit(page.limit);
    const small = (where.arms ?? []).map((arm) => inState(arm.state) <= FEW_IN_STATE);
    const arms: Array<{ arm: StateArm; index: string }> = small.includes(true)
      ? (where.arms ?? []).map((arm, i) => ({ arm, index: small[i] ? stateIndex(arm.state) : 'idx_tb_job_run_created_at' }))
      : [{ arm: { state: '', sql: where.sql }, index: 'idx_tb_job_run_created_at' }];
    const key = `${where.key}:${arms.map((a) => a.index).join(',')}`;
    const statement = this.#db.cached(this.#statements, key, () =>
      arms
        .map(({ arm, index }) => `SELECT ${JOB_COLUMNS} FROM tb_job_run INDEXED BY ${index} WHERE ${arm.sql} AND (created_at, id) < (?, ?)`)
        .join(' UNION ALL ')
        .concat(' ORDER BY created_at DESC, id DESC LIMIT ?'),
    );
    const rows = statement.all(...arms.flatMap(() => [...where.params, from.created_at, from.id]), limit + 1);
    const last = rows.length > limit ? rows[limit - 1] : undefined;
    return { items: rows.slice(0, limit).map(toJob), next_cursor: last ? encodeCreatedCursor(last.created_at, last.id) : null };
  }
}

import type BetterSqlite3 from 'better-sqlite3';
import type { Job } from '../../../shared/domain.ts';
import { clampLimit, decodeCreatedCursor, encodeCreatedCursor } from '../cursor.ts';
import type { Page, PageRequest } from '../store.ts';
import type { SqliteDb } from './db.ts';
import type { Where } from './filters.ts';
import { createdPageSql } from './pageSql.ts';
import { toJob } from './rows.ts';
import type { JobRow } from './rows.ts';

/**
 * A state with at most this many jobs (of the filter's queue, service and types, by the kept counts) is
 * read whole through its own index and sorted, a few milliseconds; walking the creation-time index for it
 * would read every job of the range to find its few.
 */
export const FEW_IN_STATE = 10_000;

const CREATED_INDEX = 'idx_tb_job_run_created_at';

/** Past every creation time and id: the first page starts below it. */
const NO_POSITION = { created_at: '9999', id: Number.MAX_SAFE_INTEGER };

/** The index that holds exactly one state's jobs (migrations 0003, 0006, 0011, 0015). */
function stateIndex(state: string): string {
  if (state === 'pending') return 'idx_tb_job_run_claim';
  if (state === 'dead_letter') return 'idx_tb_job_run_dlq';
  return `idx_tb_job_run_${state}`;
}

/**
 * The arms of a ranged listing and the index each walks: the whole filter through the creation-time index,
 * unless a state it names holds few jobs; then each state is an arm, a small one through its own index.
 */
export function createdArms(where: Where, few: (state: string) => boolean): Array<{ sql: string; index: string }> {
  const arms = where.arms ?? [];
  const small = arms.map((arm) => few(arm.state));
  if (!small.includes(true)) return [{ sql: where.sql, index: CREATED_INDEX }];
  return arms.map((arm, i) => ({ sql: arm.sql, index: small[i] ? stateIndex(arm.state) : CREATED_INDEX }));
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
    const arms = createdArms(where, (state) => inState(state) <= FEW_IN_STATE);
    const key = `${where.key}:${arms.map((a) => a.index).join(',')}`;
    const statement = this.#db.cached(this.#statements, key, () => createdPageSql(arms));
    const rows = statement.all(...arms.flatMap(() => [...where.params, from.created_at, from.id]), limit + 1);
    const last = rows.length > limit ? rows[limit - 1] : undefined;
    return { items: rows.slice(0, limit).map(toJob), next_cursor: last ? encodeCreatedCursor(last.created_at, last.id) : null };
  }
}

import type { StateArm } from './filters.ts';
import { JOB_COLUMNS } from './rows.ts';

/**
 * The SQL of the job listings that read several arms (sqlite/filters.ts `Where.arms`) and merge them. A
 * compound SELECT with one ORDER BY is a merge of its arms, each read in that order as it is walked
 * (EXPLAIN QUERY PLAN: MERGE (UNION ALL)), so the page reads from each arm only what it takes.
 */

/** Newest id first below `id < ?`: each arm walks its state's index, whose key begins (status, id). */
export function statesPageSql(arms: readonly StateArm[]): string {
  return arms
    .map((arm) => `SELECT ${JOB_COLUMNS} FROM tb_job_run WHERE ${arm.sql} AND id < ?`)
    .join(' UNION ALL ')
    .concat(' ORDER BY id DESC LIMIT ?');
}

/** Newest created first below `(created_at, id) < (?, ?)`, each arm through the index named. */
export function createdPageSql(arms: ReadonlyArray<{ sql: string; index: string }>): string {
  return arms
    .map((arm) => `SELECT ${JOB_COLUMNS} FROM tb_job_run INDEXED BY ${arm.index} WHERE ${arm.sql} AND (created_at, id) < (?, ?)`)
    .join(' UNION ALL ')
    .concat(' ORDER BY created_at DESC, id DESC LIMIT ?');
}

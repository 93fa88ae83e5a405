/**
 * The kept counts and per-minute rollups (migration 0008), as CTE bodies for the statements that move
 * jobs outside the claim and settle functions (which write the same rows in their own SQL). Each writes
 * into its backend's stripe, so transactions of different workers do not wait on one row.
 */

/** The writing backend's stripe: see migrations/postgres/0008_counts_and_rollups.sql. */
export const STRIPE = `(pg_backend_pid() % 64)::smallint`;

const KEY = `queue, service_name, execution_type, state, fingerprint`;

/**
 * Adds each change of `changes` to the kept counts: a SELECT of queue, service_name, execution_type,
 * state, fingerprint ('' except for `dead_letter`) and delta.
 */
export function countsFrom(changes: string): string {
  return `INSERT INTO jobs.tb_job_count AS c (${KEY}, stripe, n)
  SELECT ${KEY}, ${STRIPE}, sum(delta) FROM (${changes}) d
  GROUP BY ${KEY} HAVING sum(delta) <> 0
  ON CONFLICT (${KEY}, stripe) DO UPDATE SET n = c.n + excluded.n`;
}

/**
 * Counts finishes of the rows of `source` (a CTE with queue, service_name, execution_type) in this
 * minute's rollup: for each of failed, retried and cancelled, the rows matching its condition. One
 * statement writes a rollup row once, so all of a statement's finishes go through one call.
 * (Completions and their durations come only from the settle.)
 */
export function rollupFrom(source: string, finishes: Partial<Record<'failed' | 'retried' | 'cancelled', string>>): string {
  const kinds = (['failed', 'retried', 'cancelled'] as const).filter((kind) => finishes[kind] !== undefined);
  const counted = kinds.map((kind) => `count(*) FILTER (WHERE ${finishes[kind]})`);
  return `INSERT INTO jobs.tb_job_rollup AS r (minute, queue, service_name, execution_type, stripe, ${kinds.join(', ')})
  SELECT date_trunc('minute', now()), queue, service_name, execution_type, ${STRIPE}, ${counted.join(', ')}
  FROM ${source} WHERE ${kinds.map((kind) => `(${finishes[kind]})`).join(' OR ')}
  GROUP BY queue, service_name, execution_type
  ON CONFLICT (minute, queue, service_name, execution_type, stripe) DO UPDATE SET
    ${kinds.map((kind) => `${kind} = r.${kind} + excluded.${kind}`).join(', ')}`;
}

/**
 * Counts failed attempts of the rows of `source` (a CTE with service_name and error_fingerprint) in this
 * minute's failure rollup (migration 0031): `rows` picks the failed ones, `errorClass` and `message` are
 * SQL for their class and error, `dead` for those that ended their job in the dead-letter queue.
 */
export function failuresFrom(source: string, sql: { rows: string; errorClass: string; message: string; dead: string }): string {
  return `INSERT INTO jobs.tb_failure_rollup AS f (minute, service_name, error_class, fingerprint, stripe, failures, dead_lettered,
    first_at, last_at, sample_error)
  SELECT date_trunc('minute', now()), service_name, ${sql.errorClass}, coalesce(error_fingerprint, ''), ${STRIPE},
    count(*), count(*) FILTER (WHERE ${sql.dead}), now(), now(), left(coalesce(max(${sql.message}), ''), 1000)
  FROM ${source} WHERE ${sql.rows}
  GROUP BY 2, 3, 4
  ON CONFLICT (minute, service_name, error_class, fingerprint, stripe) DO UPDATE SET
    failures = f.failures + excluded.failures, dead_lettered = f.dead_lettered + excluded.dead_lettered,
    first_at = least(f.first_at, excluded.first_at), last_at = greatest(f.last_at, excluded.last_at),
    sample_error = CASE WHEN excluded.last_at >= f.last_at THEN excluded.sample_error ELSE f.sample_error END`;
}
